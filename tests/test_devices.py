"""The "cuda" device: every op, layer, optimizer and training entry point gives on "cuda" what
it gives on the CPU, values and gradients.  "cuda" is a real GPU when CuPy sees one, and the
strict CuPy stand-in (tests/fake_cupy, selected by the ``cuda`` fixture) otherwise: the same
tests either way.  Asking for "cuda" where there is none is a clear error that changes
nothing."""
import contextlib

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad import nn, optim
from minigrad.autograd import check_one_device
from minigrad.backend import to_device
from minigrad.kernels import kernels_mode, set_kernels
from minigrad.opcheck import _cases, _layer_cases
from minigrad.train import evaluate, fit, predict


@contextlib.contextmanager
def array_formulas():
    """Kernels off for a block: the CPU reference computed by the array formulas, as the
    stand-in computes (fused kernels are held to the formulas in test_fused_kernels.py)."""
    previous = kernels_mode()
    set_kernels("off")
    try:
        yield
    finally:
        set_kernels(previous)


def catalogue() -> dict:
    rng = np.random.default_rng(0)
    return {**_cases(rng), **_layer_cases(rng)}


def host(array) -> np.ndarray:
    """An array read back to the host explicitly (``np.asarray`` of a CuPy array is refused)."""
    return to_device(array, "cpu")


def run_on(device: str, name: str):
    """The op's output and its inputs' gradients (of output·weights) computed on ``device``."""
    fn, inputs = catalogue()[name]
    moved = [t.detach().to(device).requires_grad_() for t in inputs]
    out = fn(*moved)
    out = out[0] if isinstance(out, tuple) else out
    weights = mg.tensor(np.random.default_rng(1).standard_normal(out.shape), device=device)
    (out * weights.to(out.dtype)).sum().backward()
    return host(out.array), [host(t.grad.array) for t in moved]


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_op_on_cuda_equals_cpu(cuda, name):
    out, grads = run_on(cuda, name)
    expected_out, expected_grads = run_on("cpu", name)
    np.testing.assert_allclose(out, expected_out, rtol=1e-10, atol=1e-12)
    for grad, expected in zip(grads, expected_grads):
        np.testing.assert_allclose(grad, expected, rtol=1e-10, atol=1e-12)


def _same_step_on(device, build, batch, loss_fn, steps: int = 3, lr: float = 0.01,
                  optimizer=optim.Adam):
    """Losses and final parameters of a few optimizer steps of ``build()`` on ``device``."""
    mg.manual_seed(0)
    model = build().to(device)
    optimizer = optimizer(model.parameters(), lr=lr)
    inputs = [mg.tensor(b, device=device) for b in batch]
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model, *inputs)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, {k: host(v.array) for k, v in model.state_dict().items()}


def _assert_same_training(cuda, build, batch, loss_fn, rtol=1e-5, optimizer=optim.Adam):
    with array_formulas():  # the CPU reference computes as the stand-in does (kernels: below)
        cpu_losses, cpu_state = _same_step_on("cpu", build, batch, loss_fn, optimizer=optimizer)
    gpu_losses, gpu_state = _same_step_on(cuda, build, batch, loss_fn, optimizer=optimizer)
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=rtol)
    for key in cpu_state:
        np.testing.assert_allclose(gpu_state[key], cpu_state[key], rtol=rtol, atol=1e-6,
                                   err_msg=key)


def _images(n, c=1, side=12):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, c, side, side)).astype(np.float32), rng.integers(0, 10, n)


def _cross_entropy(model, x, y):
    return F.cross_entropy(model(x), y)


def test_p2_mlp_step_on_cuda_equals_cpu(cuda):
    rng = np.random.default_rng(0)
    batch = (rng.standard_normal((32, 784)).astype(np.float32), rng.integers(0, 10, 32))
    _assert_same_training(cuda, lambda: nn.Sequential(
        nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)),
        batch, _cross_entropy)


def test_p4_cnn_step_with_batch_norm_and_dropout_on_cuda_equals_cpu(cuda):
    def build():
        return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Conv2d(8, 8, 3), nn.ReLU(), nn.AvgPool2d(2),
                             nn.Flatten(), nn.Linear(8 * 2 * 2, 10))
    _assert_same_training(cuda, build, _images(16), _cross_entropy)


def test_p8_embedding_lstm_step_on_cuda_equals_cpu(cuda):
    class TextClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(30, 8, padding_idx=0)
            self.lstm = nn.LSTM(8, 12, batch_first=True)
            self.rnn = nn.RNN(12, 6, batch_first=True)
            self.out = nn.Linear(6, 1)

        def forward(self, tokens):
            h, _ = self.lstm(self.embedding(tokens))
            h, _ = self.rnn(h)
            return self.out(h[:, -1]).reshape(-1)
    rng = np.random.default_rng(0)
    batch = (rng.integers(0, 30, (8, 7)), rng.integers(0, 2, 8).astype(np.float32))
    _assert_same_training(cuda, TextClassifier, batch,
                          lambda model, x, y: F.binary_cross_entropy_with_logits(model(x), y))


def test_keras_lstm_and_cells_on_cuda_equal_cpu(cuda):
    class Cells(nn.Module):
        def __init__(self):
            super().__init__()
            self.keras = nn.KerasLSTM(4, 6)
            self.lstm_cell, self.rnn_cell = nn.LSTMCell(6, 5), nn.RNNCell(5, 3)

        def forward(self, x):
            h, c = self.lstm_cell(self.keras(x))
            return self.rnn_cell(h).sum(dim=1)
    rng = np.random.default_rng(0)
    batch = (rng.standard_normal((3, 5, 4)).astype(np.float32),
             rng.standard_normal(3).astype(np.float32))
    _assert_same_training(cuda, Cells, batch, lambda model, x, y: F.mse_loss(model(x), y))


def test_transformer_step_on_cuda_equals_cpu(cuda):
    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(20, 16)
            self.position = nn.LearnedPositionalEncoding(10, 16)
            self.encoder = nn.TransformerEncoder(
                nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0,
                                           batch_first=True), 2)
            self.out = nn.Linear(16, 20)

        def forward(self, tokens):
            mask = tokens == 0
            return self.out(self.encoder(self.position(self.embedding(tokens)),
                                         src_key_padding_mask=mask))
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 20, (4, 9))
    tokens[0, -2:] = 0
    # SGD, not Adam: the key projection's bias has a gradient of exactly 0 (softmax ignores a
    # constant added to every key), so what it gets is float32 rounding, which Adam's
    # normalization would turn into full-size steps that differ from run to run
    _assert_same_training(cuda, Tagger, (tokens,), lambda model, t: F.cross_entropy(
        model(t).reshape(-1, 20), t.reshape(-1), ignore_index=0), rtol=1e-4,
        optimizer=optim.SGD)


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda p: optim.RMSprop(p, lr=0.01, momentum=0.5),
    lambda p: optim.Adam(p, lr=0.01, amsgrad=True),
    lambda p: optim.AdamW(p, lr=0.01)], ids=["sgd", "rmsprop", "adam", "adamw"])
def test_optimizers_on_cuda_equal_cpu(cuda, make):
    def run(device):
        mg.manual_seed(0)
        model = nn.Linear(5, 3).to(device)
        optimizer = make(model.parameters())
        x = mg.tensor(np.random.default_rng(0).standard_normal((4, 5)), dtype=mg.float32,
                      device=device)
        for _ in range(3):
            optimizer.zero_grad()
            (model(x) ** 2).mean().backward()
            optimizer.step()
        return host(model.weight.array)
    with array_formulas():
        expected = run("cpu")
    np.testing.assert_allclose(run(cuda), expected, rtol=1e-5, atol=1e-7)


def test_fit_evaluate_predict_on_cuda(cuda):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float32)
    y = x[:, :3].argmax(axis=1)

    def run(device):
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
        history = fit(model, x, y, nn.CrossEntropyLoss(), "adam", epochs=3, batch_size=16,
                      validation_split=0.25, verbose=0, device=device)
        scores = evaluate(model, x, y, loss=nn.CrossEntropyLoss(), device=device)
        predictions = predict(model, x, device=device)
        assert isinstance(predictions, np.ndarray)   # always handed back on the host
        assert all(p.device == device for p in model.parameters())
        return history.history, scores, predictions
    with array_formulas():
        h_cpu, s_cpu, p_cpu = run("cpu")
    h_gpu, s_gpu, p_gpu = run(cuda)
    for key in h_cpu:
        np.testing.assert_allclose(h_gpu[key], h_cpu[key], rtol=1e-4, err_msg=key)
    assert s_gpu == pytest.approx(s_cpu, rel=1e-4)
    np.testing.assert_allclose(p_gpu, p_cpu, rtol=1e-4, atol=1e-5)


def test_mixing_devices_names_the_op_and_both_devices(cuda):
    with pytest.raises(RuntimeError, match=r"Add.*cpu and cuda"):
        mg.ones(3) + mg.ones(3, device=cuda)


def test_a_cpu_number_tensor_works_with_cuda_like_a_number(cuda):
    """PyTorch lets a 0-d CPU tensor take part in a CUDA op as a number; CuPy refuses NumPy
    arrays (even 0-d) but takes NumPy scalars, so minigrad hands it over as one."""
    out = mg.ones(3, device=cuda) * mg.tensor(2.0)
    assert out.device == "cuda" and host(out.array).tolist() == [2.0, 2.0, 2.0]
    assert (mg.ones(3, device=cuda) * 2.0).device == "cuda"
    with pytest.raises(RuntimeError, match=r"Mul.*cpu and cuda"):   # with a gradient: no
        mg.ones(3, device=cuda) * mg.tensor(2.0, requires_grad=True)


@pytest.mark.skipif(mg.cuda.is_available(), reason="checks the machine without a GPU")
def test_cuda_without_a_gpu_is_a_clear_error_and_changes_nothing():
    assert mg.cuda.device_count() == 0 and not mg.cuda.is_available()
    with pytest.raises(RuntimeError, match="cuda"):
        mg.randn(2, 3).cuda()
    with pytest.raises(RuntimeError, match="cuda"):
        mg.zeros(2, device="cuda")
    model = nn.Linear(3, 2)
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError, match="cuda"):
        model.to("cuda")
    assert all(p.device == "cpu" for p in model.parameters())
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key])
    mg.cuda.synchronize()  # a no-op, not an error


def test_unknown_device_names_the_choices():
    with pytest.raises(ValueError, match="'tpu'.*cpu"):
        mg.zeros(2, device="tpu")


def test_device_check_names_both_devices():
    """The check itself, with a stand-in for a CuPy array (its module name is what counts)."""
    gpu_array = type("ndarray", (), {"shape": (3,), "ndim": 1, "__module__": "cupy"})()
    check_one_device("Add", [np.ones(3), np.ones(3), 2.0])  # one device: fine
    with pytest.raises(RuntimeError, match=r"Add: expected all tensors on one device, found "
                                           r"tensors on cpu and cuda"):
        check_one_device("Add", [np.ones(3), gpu_array])


def _layer_catalogue():
    """Every nn layer with a small input (float inputs get gradients)."""
    rng = np.random.default_rng(0)
    f = lambda *s: rng.standard_normal(s).astype(np.float32)  # noqa: E731
    tokens = rng.integers(0, 9, (2, 5))
    return {
        "ReLU": (nn.ReLU, f(3, 4)), "Sigmoid": (nn.Sigmoid, f(3, 4)), "Tanh": (nn.Tanh, f(3, 4)),
        "LeakyReLU": (lambda: nn.LeakyReLU(0.1), f(3, 4)), "GELU": (nn.GELU, f(3, 4)),
        "Softmax": (lambda: nn.Softmax(dim=1), f(3, 4)),
        "LogSoftmax": (lambda: nn.LogSoftmax(dim=1), f(3, 4)),
        "Identity": (nn.Identity, f(3, 4)), "Flatten": (nn.Flatten, f(2, 3, 4)),
        "Linear": (lambda: nn.Linear(4, 5), f(3, 4)),
        "Dropout": (lambda: nn.Dropout(0.0), f(3, 4)),
        "Embedding": (lambda: nn.Embedding(9, 4, padding_idx=0), tokens),
        "BatchNorm1d": (lambda: nn.BatchNorm1d(4), f(6, 4)),
        "BatchNorm2d": (lambda: nn.BatchNorm2d(3), f(2, 3, 4, 4)),
        "LayerNorm": (lambda: nn.LayerNorm(4), f(3, 4)),
        "Conv2d": (lambda: nn.Conv2d(3, 4, 3, stride=2, padding=1), f(2, 3, 7, 7)),
        "MaxPool2d": (lambda: nn.MaxPool2d(2), f(2, 3, 4, 4)),
        "AvgPool2d": (lambda: nn.AvgPool2d(3, 2, 1), f(2, 3, 5, 5)),
        "AdaptiveAvgPool2d": (lambda: nn.AdaptiveAvgPool2d(1), f(2, 3, 4, 4)),
        "ResidualBlock": (lambda: nn.ResidualBlock(3, 4, stride=2), f(2, 3, 6, 6)),
        "SmallResNet": (lambda: nn.SmallResNet(in_channels=1, classes=3, widths=(4, 4, 4)), f(2, 1, 8, 8)),
        "RNN": (lambda: nn.RNN(4, 5, num_layers=2), f(6, 2, 4)),
        "LSTM": (lambda: nn.LSTM(4, 5, batch_first=True), f(2, 6, 4)),
        "MultiheadAttention": (lambda: _SelfAttention(nn.MultiheadAttention(8, 2)), f(5, 2, 8)),
        "TransformerEncoderLayer": (lambda: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0),
                                    f(5, 2, 8)),
        "SinusoidalPositionalEncoding": (lambda: nn.SinusoidalPositionalEncoding(8, 10),
                                         f(2, 5, 8)),
    }


class _SelfAttention(nn.Module):
    def __init__(self, attention):
        super().__init__()
        self.attention = attention

    def forward(self, x):
        return self.attention(x, x, x)[0]


@pytest.mark.parametrize("name", sorted(_layer_catalogue()))
def test_every_layer_on_cuda_equals_cpu(cuda, name):
    build, array = _layer_catalogue()[name]

    def run(device):
        mg.manual_seed(0)
        layer = build().to(device)
        x = mg.tensor(array, device=device)
        if x.dtype.kind == "f":
            x.requires_grad_()
        out = layer(x)
        out = out[0] if isinstance(out, tuple) else out
        (out * out).sum().backward()
        grads = [host(p.grad.array) for p in layer.parameters() if p.grad is not None]
        return host(out.array), grads + ([host(x.grad.array)] if x.requires_grad else [])
    out, grads = run(cuda)
    with array_formulas():
        expected_out, expected_grads = run("cpu")
    np.testing.assert_allclose(out, expected_out, rtol=1e-5, atol=1e-6)
    assert len(grads) == len(expected_grads)
    for grad, expected in zip(grads, expected_grads):
        np.testing.assert_allclose(grad, expected, rtol=1e-4, atol=1e-5)


def test_minigrad_train_runs_on_cuda(cuda, tmp_path):
    from minigrad.cli import main
    assert main(["train", "p2", "--dataset", "digits", "--epochs", "1", "--device", cuda,
                 "--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "p2" / "weights.npz").is_file()
    assert mg.load(tmp_path / "p2" / "weights.npz")["0.weight"].device == "cpu"


def test_minigrad_train_refuses_a_cpu_only_recipe_on_cuda_in_one_line(cuda, capsys, tmp_path):
    from minigrad.cli import main
    assert main(["train", "p7", "--device", cuda, "--out", str(tmp_path)]) == 2
    assert "recipe p7 does not take --device" in capsys.readouterr().err
