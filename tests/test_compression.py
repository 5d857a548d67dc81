"""Int8 quantization and magnitude pruning: what they change, what they keep, and that the
int8 model exported to ONNX computes in onnxruntime what it computes in minigrad."""
import copy

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad as mg
import minigrad.nn as nn
from minigrad.experiments.recipes import mlp, p5_cnn
from minigrad.ops.quantize import QuantizeDequantize, to_int8
from minigrad.optim import SGD, Adam
from minigrad.pruning import prune, prunable_weights
from minigrad.quantization import (QuantizedConv2d, QuantizedLinear, channel_scales, quantize,
                                   quantization_error)
from minigrad.train import fit

rng = np.random.default_rng(0)


def images(n):
    return rng.random((n, 1, 28, 28), dtype=np.float32)


# ----------------------------------------------------------------------------- quantization


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 8), cols=st.integers(1, 8), scale=st.floats(1e-3, 1e3))
def test_per_channel_rounding_error_is_at_most_half_a_step(rows, cols, scale):
    weight = (np.random.default_rng(rows * 9 + cols).standard_normal((rows, cols)) *
              scale).astype(np.float32)
    weight[0] *= 1e-3  # a channel of small weights keeps its own fine grid
    steps = channel_scales(weight)[:, None]
    error = np.abs(quantization_error(weight))
    assert np.all(error <= steps / 2 * (1 + 1e-5))
    assert np.all(np.abs(to_int8(weight, steps)) <= 127)


def test_quantize_dequantize_rounds_saturates_and_passes_gradient_inside():
    x = mg.tensor(np.array([-3.0, -0.26, 0.24, 0.25, 0.75, 2.0], np.float32),
                  requires_grad=True)
    y = QuantizeDequantize.apply(x, scale=0.01)  # grid step 0.01, range [-1.28, 1.27]
    np.testing.assert_allclose(y.numpy(), [-1.28, -0.26, 0.24, 0.25, 0.75, 1.27], atol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 1, 1, 1, 1, 0])  # straight through


def test_quantize_replaces_layers_in_place_and_leaves_the_model_alone():
    model = p5_cnn()
    before = copy.deepcopy(model.state_dict())
    quantized = quantize(model, images(64))
    assert [type(m).__name__ for m in quantized][:4] == ["QuantizedConv2d", "ReLU",
                                                         "MaxPool2d", "QuantizedConv2d"]
    assert sum(isinstance(m, (QuantizedConv2d, QuantizedLinear)) for m in quantized) == 5
    assert quantized[0].weight_int8.dtype == np.int8
    assert quantized[0].weight_scale.shape == (32,) and quantized[0].bias_int32.dtype == np.int32
    after = model.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert isinstance(model[0], nn.Conv2d) and model.training


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_int8_model_stays_close_to_the_float_model(seed):
    mg.manual_seed(seed)
    model = mlp(30, (40, 20), 5).eval()
    x = np.random.default_rng(seed).standard_normal((400, 30)).astype(np.float32)
    quantized = quantize(model, x[:300])
    with mg.no_grad():
        exact, approx = model(mg.tensor(x[300:])).numpy(), quantized(mg.tensor(x[300:])).numpy()
    assert np.sqrt(((exact - approx) ** 2).mean()) < 0.1 * exact.std()
    assert (exact.argmax(1) == approx.argmax(1)).mean() >= 0.9


def test_quantize_errors_are_clear():
    with pytest.raises(ValueError, match="calibration_inputs is empty"):
        quantize(mlp(3, (), 2), np.zeros((0, 3), np.float32))
    with pytest.raises(ValueError, match="no Linear or Conv2d"):
        quantize(nn.Sequential(nn.ReLU()), np.ones((2, 3), np.float32))


def test_sessions_ask_onnxruntime_for_exact_int8_sums(tmp_path):
    """Without it, AVX2-only CPUs saturate 16-bit sums in QLinearConv (the test below)."""
    pytest.importorskip("onnxruntime")
    from minigrad.onnx import export, session
    path = tmp_path / "m.onnx"
    export(mlp(3, (), 2), np.ones((1, 3), np.float32), path)
    entry = "session.x64quantprecision"
    assert session(path).get_session_options().get_session_config_entry(entry) == "1"
    with pytest.raises(RuntimeError, match="does not have configuration"):
        session(path, exact_int8=False).get_session_options().get_session_config_entry(entry)


def test_onnxruntime_runs_the_int8_model_as_minigrad_does(tmp_path):
    pytest.importorskip("onnxruntime")
    import onnx
    from minigrad.onnx import export, run
    mg.manual_seed(0)   # (every seed 0-7 differed by 15-52 steps on an AVX2-only CPU before
    quantized = quantize(p5_cnn(), images(100))   # runtime.session asked for exact int8 sums)
    path = tmp_path / "int8.onnx"
    export(quantized, images(2), path, dynamic_axes={"input": {0: "batch"}})
    x = images(6)
    with mg.no_grad():
        expected = quantized(mg.tensor(x)).numpy()
    step = quantized[-1].output_scale
    assert np.abs(run(path, x)[0] - expected).max() <= step * 1.01  # at most one grid step
    ops = {node.op_type for node in onnx.load(path).graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    stored = {i.name: i.data_type for i in onnx.load(path).graph.initializer}
    assert stored["0.weight_int8"] == onnx.TensorProto.INT8


# ----------------------------------------------------------------------------- pruning


@pytest.mark.parametrize("amount", [0.0, 0.5, 0.8, 0.9])
def test_global_pruning_zeroes_exactly_the_smallest_weights(amount):
    model = p5_cnn()
    magnitudes = np.concatenate([np.abs(w.array).ravel()
                                 for w in prunable_weights(model).values()])
    biases = [m.bias.numpy().copy() for m in model if hasattr(m, "bias")]
    pruning = prune(model, amount)
    kept = np.concatenate([np.abs(w.array).ravel() for w in prunable_weights(model).values()])
    assert np.isclose(pruning.sparsity, amount, atol=1 / magnitudes.size)
    assert (kept == 0).sum() >= round(amount * magnitudes.size)
    if amount:
        assert kept[kept > 0].min() >= np.sort(magnitudes)[round(amount * magnitudes.size) - 1]
    assert all(np.array_equal(b, m.bias.numpy()) for b, m in
               zip(biases, [m for m in model if hasattr(m, "bias")]))


def test_pruning_is_global_not_per_layer():
    model = nn.Sequential(nn.Linear(10, 10), nn.Linear(10, 10))
    model[0].weight.array[...] = rng.uniform(-0.01, 0.01, (10, 10))  # all small
    model[1].weight.array[...] = rng.choice([-1, 1], (10, 10)) * rng.uniform(0.1, 1, (10, 10))
    prune(model, 0.5)
    assert np.all(model[0].weight.numpy() == 0) and np.all(model[1].weight.numpy() != 0)


@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_fine_tuning_keeps_pruned_weights_at_zero_and_learns(optimizer):
    x = rng.standard_normal((256, 8)).astype(np.float32)
    y = (x[:, :2].sum(1) > 0).astype(np.int64)
    mg.manual_seed(0)
    model = mlp(8, (16,), 2)
    pruning = prune(model, 0.6)
    zeros = {name: w.numpy() == 0 for name, w in prunable_weights(model).items()}
    history = fit(model, x, y, loss=nn.CrossEntropyLoss(), epochs=15, verbose=0,
                  optimizer=pruning.keep_pruned(optimizer(model.parameters(), lr=0.05)))
    assert all(np.all(w.numpy()[zeros[name]] == 0)
               for name, w in prunable_weights(model).items())
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert pruning.sparsity == pytest.approx(0.6, abs=0.01)


def test_prune_refuses_bad_amounts():
    with pytest.raises(ValueError, match=r"amount must be in \[0, 1\)"):
        prune(mlp(3, (), 2), 1.0)


def test_replacing_a_child_keeps_its_place():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    setattr(model, "0", nn.Identity())
    assert [type(m).__name__ for m in model] == ["Identity", "ReLU", "Linear"]


def test_quantize_dequantize_matches_pytorch_fake_quantize():
    """Values and the straight-through gradient equal torch.fake_quantize_per_tensor_affine
    (symmetric int8: zero point 0, range [-128, 127])."""
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(3).normal(0, 1.5, 200).astype(np.float32)
    x = mg.tensor(values, requires_grad=True)
    y = QuantizeDequantize.apply(x, scale=0.01)
    (y * mg.tensor(np.arange(200, dtype=np.float32))).sum().backward()
    t = torch.tensor(values, requires_grad=True)
    expected = torch.fake_quantize_per_tensor_affine(t, 0.01, 0, -128, 127)
    (expected * torch.arange(200, dtype=torch.float32)).sum().backward()
    np.testing.assert_allclose(y.numpy(), expected.detach().numpy(), atol=1e-7)
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
