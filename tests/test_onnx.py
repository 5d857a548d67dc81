"""ONNX export: onnxruntime computes what minigrad computes, for every covered model, at the
example's batch size and at others (dynamic axes); bad cases are clear errors that leave no
file behind; the command line exports a trained run and predicts with it."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402
import minigrad.nn as nn  # noqa: E402
from minigrad.cli import main  # noqa: E402
from minigrad.experiments.recipes import (RowLSTM, SentimentLSTM, SimpleCNN, mlp,  # noqa: E402
                                          p5_cnn)
from minigrad.experiments.transformer_demos import (SentimentClassifier,  # noqa: E402
                                                    SentimentEncoder, TokenTagger)
from minigrad.onnx import OnnxExportError, export, run  # noqa: E402

BATCH = {"input": {0: "batch"}, "output": {0: "batch"}}
rng = np.random.default_rng(0)


def floats(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def tokens(vocabulary, *shape):
    values = rng.integers(1, vocabulary, shape)
    values[:, -3:] = 0  # padding at the end
    return values


def agree(model, path, *inputs, rtol=1e-4, atol=1e-5):
    """onnxruntime's first output equals minigrad's (eval mode) on these inputs."""
    model.eval()
    with mg.no_grad():
        expected = model(*[mg.tensor(x) for x in inputs])
    expected = expected[0] if isinstance(expected, tuple) else expected
    got = run(path, *inputs)[0]
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got, expected.numpy(), rtol=rtol, atol=atol)


class TransformerClassifier(nn.Module):
    """Embedding + sinusoidal positions + encoder + mean pooling: a full text model."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(20, 16)
        self.positions = nn.SinusoidalPositionalEncoding(16, max_len=12)
        layer = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        return self.head(self.encoder(self.positions(self.embedding(x))).mean(dim=1))


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = nn.MultiheadAttention(8, 2)

    def forward(self, x):  # (L, B, E), PyTorch's default layout
        return self.attention(x, x, x, need_weights=False)[0]


def normalized_cnn():
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.Dropout2d(0.2), nn.AvgPool2d(2), nn.Conv2d(4, 6, 3, stride=2,
                                                                        dilation=1),
                          nn.ELU(), nn.Flatten(), nn.Linear(6, 8), nn.BatchNorm1d(8),
                          nn.LayerNorm(8), nn.GELU(), nn.Dropout(0.3), nn.Linear(8, 3),
                          nn.LogSoftmax(dim=1))
    model.train()
    for _ in range(3):  # running statistics that are not the initial 0 and 1
        model(mg.tensor(floats(6, 3, 8, 8) * 2 + 1))
    return model


MODELS = {  # name -> (model factory, example input, an input of another batch size)
    "mlp": (lambda: mlp(20, (16, 8), 5), lambda b: floats(b, 20)),
    "p4 SimpleCNN": (SimpleCNN, lambda b: floats(b, 1, 28, 28)),
    "p5 CNN": (p5_cnn, lambda b: floats(b, 1, 28, 28)),
    "batch/layer norm, dropout, pooling": (normalized_cnn, lambda b: floats(b, 3, 8, 8)),
    "row LSTM": (lambda: RowLSTM(8, 12, 4), lambda b: floats(b, 8, 8)),
    "p8 embedding + Keras LSTM": (lambda: SentimentLSTM(30, 8, 12), lambda b: tokens(31, b, 9)),
    "2-layer LSTM": (lambda: nn.LSTM(5, 6, num_layers=2, batch_first=True),
                     lambda b: floats(b, 7, 5)),
    "GRU": (lambda: nn.GRU(5, 6, num_layers=2), lambda b: floats(4, b, 5)),
    "relu RNN": (lambda: nn.RNN(5, 6, nonlinearity="relu"), lambda b: floats(4, b, 5)),
    "LSTM cell": (lambda: nn.LSTMCell(5, 6), lambda b: floats(b, 5)),
    "multi-head attention": (SelfAttention, lambda b: floats(5, b, 8)),
    "Transformer encoder": (TransformerClassifier, lambda b: tokens(20, b, 12)),
    "Transformer tagger (reverse demo)": (lambda: TokenTagger(10, 32),
                                          lambda b: tokens(10, b, 32)),
    "sentiment encoder with padding mask": (
        lambda: SentimentClassifier(SentimentEncoder(25, 10)), lambda b: tokens(25, b, 10)),
}


@pytest.mark.parametrize("name", MODELS)
def test_onnxruntime_matches_minigrad(name, tmp_path):
    make, inputs = MODELS[name]
    mg.manual_seed(0)
    model = make()
    path = tmp_path / "model.onnx"
    batch_axis = 1 if name in ("GRU", "relu RNN", "multi-head attention") else 0
    axes = {"input": {batch_axis: "batch"}, "output": {batch_axis: "batch"}}
    export(model, inputs(2), path, dynamic_axes=axes)
    assert model.training  # exported in eval mode, then put back as it was
    for batch in (2, 5, 1):
        agree(model, path, inputs(batch))


class ManyOps(nn.Module):
    """Elementwise, reductions, indexing, shapes, comparisons: the rest of the table."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(mg.tensor(floats(6)))

    def forward(self, x):  # x: (B, 6)
        y = (x - 0.5) * self.scale / 2 + x ** 2
        y = mg.where(x > 0, y.exp().clamp(max=5.0), (-y).sigmoid().log())
        y = y + x.abs().sqrt() + x.sin() * x.cos() + x.tanh() + mg.erf(x) + x.trunc()
        y = mg.maximum(y, x) - mg.minimum(y, 0.1 * x)
        z = mg.cat([y, x.flip(1), F.leaky_relu(x, 0.2), F.silu(x), F.softplus(x, beta=2.0),
                    F.elu(x), F.gelu(x, approximate="tanh")], dim=1)          # (B, 42)
        z = z.reshape(z.shape[0], 7, 6).transpose(1, 2)                      # (B, 6, 7)
        z = z.softmax(dim=-1) + z.log_softmax(dim=1) + z.cumsum(dim=2)
        s = mg.stack([z.sum(dim=1), z.mean(dim=1), z.var(dim=1), z.std(dim=1),
                      z.amax(dim=1), z.amin(dim=1), z.logsumexp(dim=1)], dim=1)  # (B, 7, 7)
        s = F.pad(s, (1, 2)) + s[:, None, 0, 1:2].expand(-1, 7, 10)
        mask = ((x > 0) & (x < 1)) | ~(x != 0.5)
        return s[..., 3:9].sum(dim=-1) + mask.float().sum(dim=1, keepdim=True) \
            + s.repeat(1, 1, 1)[:, -1:, ::2].mean()


def test_the_rest_of_the_table(tmp_path):
    model = ManyOps()
    path = tmp_path / "ops.onnx"
    export(model, floats(3, 6), path, dynamic_axes=BATCH)
    for batch in (3, 4):
        agree(model, path, floats(batch, 6), rtol=1e-4, atol=1e-4)


def test_names_opset_and_initializers(tmp_path):
    import onnx
    model = mlp(4, (3,), 2)
    proto = export(model, floats(2, 4), tmp_path / "m.onnx", input_names=["pixels"],
                   output_names=["logits"], dynamic_axes={"pixels": {0: "n"}}, opset_version=18)
    assert [i.name for i in proto.graph.input] == ["pixels"]
    assert [o.name for o in proto.graph.output] == ["logits"]
    assert proto.opset_import[0].version == 18
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "n"
    assert proto.graph.output[0].type.tensor_type.shape.dim[0].dim_param == "n"
    assert {i.name for i in proto.graph.initializer} >= {"0.weight", "0.bias", "2.weight"}
    onnx.checker.check_model(onnx.load(tmp_path / "m.onnx"))
    agree(model, tmp_path / "m.onnx", floats(7, 4))


def test_fixed_batch_without_dynamic_axes(tmp_path):
    model = mlp(4, (3,), 2)
    export(model, floats(2, 4), tmp_path / "m.onnx")
    agree(model, tmp_path / "m.onnx", floats(2, 4))
    with pytest.raises(Exception, match="(?i)dimension|shape"):
        run(tmp_path / "m.onnx", floats(3, 4))


@settings(max_examples=15, deadline=None)
@given(batch=st.integers(1, 9), other=st.integers(1, 9), width=st.integers(1, 6),
       depth=st.integers(0, 2))
def test_any_batch_size_after_a_dynamic_export(tmp_path_factory, batch, other, width, depth):
    path = tmp_path_factory.mktemp("h") / "m.onnx"
    model = mlp(3, (width,) * depth, 2)
    export(model, floats(batch, 3), path, dynamic_axes=BATCH)
    agree(model, path, floats(other, 3))


class CrossEntropyInside(nn.Module):
    def forward(self, x):
        return F.cross_entropy(x, mg.tensor(np.zeros(len(x), np.int64)))


class FrozenFromNumPy(nn.Module):
    def forward(self, x):
        return x * mg.tensor(x.numpy().mean())  # computed outside minigrad's ops


def test_unsupported_op_is_named_and_no_file_is_left(tmp_path):
    path = tmp_path / "loss.onnx"
    with pytest.raises(OnnxExportError, match="CrossEntropy has no ONNX mapping"):
        export(CrossEntropyInside(), floats(2, 3), path)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_keeps_the_previous_file(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"the previous export")
    with pytest.raises(OnnxExportError, match="would freeze"):
        export(FrozenFromNumPy(), floats(2, 3), path)
    assert path.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]


def test_bad_arguments_are_clear(tmp_path):
    with pytest.raises(OnnxExportError, match="dynamic axis 3 of input 'input'"):
        export(mlp(3, (), 2), floats(2, 3), tmp_path / "m.onnx", dynamic_axes={"input": [3]})
    with pytest.raises(OnnxExportError, match="2 input_names for 1 inputs"):
        export(mlp(3, (), 2), floats(2, 3), tmp_path / "m.onnx", input_names=["a", "b"])
    with pytest.raises(OnnxExportError, match="opset_version 9"):
        export(mlp(3, (), 2), floats(2, 3), tmp_path / "m.onnx", opset_version=9)


def test_train_export_predict_from_the_command_line(tmp_path, capsys):
    runs = tmp_path / "runs"
    assert main(["train", "p2", "--dataset", "digits", "--epochs", "1", "--out", str(runs),
                 "--quiet"]) == 0
    assert main(["export", str(runs / "p2")]) == 0
    assert "max difference" in capsys.readouterr().out
    from sklearn.datasets import load_digits
    images = (load_digits().images[:4] / 16).astype(np.float32)
    np.save(tmp_path / "four.npy", images)
    assert main(["predict", str(runs / "p2"), str(tmp_path / "four.npy")]) == 0
    from_npz = capsys.readouterr().out
    assert main(["predict", str(runs / "p2" / "model.onnx"), str(tmp_path / "four.npy")]) == 0
    from_onnx = capsys.readouterr().out
    assert from_npz.count("->") == 4
    assert [line.split("->")[1] for line in from_npz.splitlines()] == \
        [line.split("->")[1] for line in from_onnx.splitlines()]


def test_export_and_predict_say_what_is_wrong(tmp_path, capsys):
    assert main(["export", str(tmp_path)]) == 1
    assert "model.json is missing" in capsys.readouterr().err
    assert main(["predict", str(tmp_path / "nothing.onnx"), "x.npy"]) == 1
    assert "missing" in capsys.readouterr().err


@pytest.mark.parametrize("recipe, options", [
    ("lstm-rows", ["--dataset", "digits", "--epochs", "1"]), ("reverse", ["--steps", "2"]),
    ("gan-2d", ["--steps", "3"]), ("p6", ["--epochs", "2"])])
def test_other_recipes_export_from_their_run_folders(recipe, options, tmp_path, capsys):
    runs = tmp_path / "runs"
    assert main(["train", recipe, *options, "--out", str(runs), "--quiet"]) == 0
    assert main(["export", str(runs / recipe), "--out", str(tmp_path / "m.onnx")]) == 0
    difference = float(capsys.readouterr().out.split("max difference")[1])
    assert difference < 1e-4
    assert (tmp_path / "m.onnx.json").is_file()


def test_predict_reads_images_like_arrays(tmp_path, capsys):
    from matplotlib import image
    from sklearn.datasets import load_digits
    runs = tmp_path / "runs"
    assert main(["train", "p1", "--dataset", "digits", "--epochs", "1", "--out", str(runs),
                 "--quiet"]) == 0
    picture = load_digits().images[5] / 16
    image.imsave(tmp_path / "five.png", picture, cmap="gray", vmin=0, vmax=1)
    np.save(tmp_path / "five.npy", picture.astype(np.float32))
    capsys.readouterr()
    assert main(["predict", str(runs / "p1"), str(tmp_path / "five.png"),
                 str(tmp_path / "five.npy")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].split("->")[1] == lines[1].split("->")[1]


def test_commands_say_how_to_install_onnx_when_it_is_missing(tmp_path, capsys, monkeypatch):
    runs = tmp_path / "runs"
    assert main(["train", "p6", "--epochs", "1", "--out", str(runs), "--quiet"]) == 0
    monkeypatch.setitem(__import__("sys").modules, "onnx", None)  # import onnx now fails
    assert main(["export", str(runs / "p6")]) == 1
    assert "pip install -e '.[deploy]'" in capsys.readouterr().err
    assert not (runs / "p6" / "model.onnx").exists()


def test_a_run_without_a_model_says_why(tmp_path, capsys):
    runs = tmp_path / "runs"
    assert main(["train", "p7", "--epochs", "2", "--out", str(runs), "--quiet"]) == 0
    assert main(["export", str(runs / "p7")]) == 1
    assert "p7 trains bare tensors" in capsys.readouterr().err
