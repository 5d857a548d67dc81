"""The fused kernels equal the array formulas they are compiled from: every formula and fused
step, on the CPU (Numba) directly and on CUDA in Numba's simulator (small odd shapes); a few
training steps of an MLP, an LSTM and a CNN give the same losses with kernels on and off; and
the switch (``set_kernels``, ``MINIGRAD_KERNELS``) and the kernel cache behave."""
import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad import kernels as door, nn, optim
from minigrad.backend import numpy_for_formulas as xp
from minigrad.gradcheck import gradgradcheck
from minigrad.ops.activations import relu_back
from minigrad.ops.conv import tiles
from minigrad.ops.recurrent import lstm_cell, lstm_cell_backward
from minigrad.ops.formula import FORMULAS, bind, on_arrays
from minigrad_kernels import compile as kc, launch, runtime

REGISTERED = tuple(FORMULAS.values())
POINTWISE = kc.pointwise_table(REGISTERED)   # derived from the formulas' declarations

TOLERANCE = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-12, atol=1e-13)}


def assert_close(got, expected, dtype):
    """Equal within the dtype's rounding.  In float32 the absolute part scales with the
    array's magnitude: where a formula cancels (1 + tanh u as tanh u → −1), any float32
    evaluation — the library tanh, or the kernels' fast one, 3.5e-7 from it — leaves an error
    of that order times the values around it, not of the tiny result."""
    tolerance = dict(TOLERANCE[dtype])
    if dtype == np.float32:
        tolerance["atol"] = max(tolerance["atol"], 2e-6 * float(np.abs(expected).max()))
    np.testing.assert_allclose(got, expected, **tolerance)


@pytest.fixture(params=["cpu", "cuda"])
def target(request):
    if request.param == "cuda" and not runtime.simulated() and not mg.cuda.is_available():
        pytest.skip("numba-cuda without a GPU or the simulator")
    return request.param


def run(target, dtype, name, *args):
    """Call kernel ``name`` of a target's module: directly on the CPU, launched on CUDA (the
    simulator takes NumPy arrays; a GPU needs them copied)."""
    kernel = getattr(kc.kernels(target, dtype), name)
    if target == "cpu":
        kernel(*args)
        return
    launch.launch(kernel, (3,), (32,), *args)  # fewer threads than items: grid-stride loops


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_pointwise_kernel_equals_array_formula(target, dtype, name):
    arrays, scalars = POINTWISE[name]
    rng = np.random.default_rng(0)
    size = 37 if target == "cuda" else 1001
    values = [rng.uniform(-6, 6, size).astype(dtype) for _ in arrays]
    values[0][:4] = [0.0, -30.0, 30.0, 1e-4]           # the kink, and both far tails
    extra = [dtype(0.1) for _ in scalars]
    out = np.empty(size, dtype)
    run(target, dtype, name + "_map", *values, *extra, out)
    assert_close(out, _array_formula(name)(*values, *extra), dtype)


def _array_formula(name):
    """The array form of a pointwise map (``tanh`` is each target's own tanh, not ours)."""
    return xp.tanh if name == "tanh" else on_arrays(FORMULAS[name].function, xp)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", kc.bias_epilogues(REGISTERED))
def test_bias_epilogue_kernel_is_the_activation_of_z_plus_bias(target, dtype, name):
    rng = np.random.default_rng(3)
    z, bias = rng.uniform(-4, 4, (5, 7)).astype(dtype), rng.uniform(-1, 1, 7).astype(dtype)
    extra = [dtype(0.1) for _ in POINTWISE[name][1]]
    out = np.empty_like(z)
    run(target, dtype, name + "_bias_map", z.reshape(-1), bias, *extra, out.reshape(-1))
    assert_close(out, _array_formula(name)(z + bias, *extra), dtype)


def test_fast_float32_tanh_is_within_four_ulps_of_one():
    from minigrad_kernels.fast_math import tanh_float32
    x = np.linspace(-12, 12, 200001).astype(np.float32)
    got = np.array([tanh_float32(v) for v in x[::50]])
    assert np.abs(got - np.tanh(x[::50].astype(np.float64))).max() < 4e-7


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, states, scalars", [
    ("sgd", 0, (0.1, 0.01)),
    ("sgd_momentum", 1, (0.1, 0.9, 0.1, 0.01, True, False)),
    ("adam", 2, (1e-2, 0.9, 0.999, 0.1, 0.001, 1e-8, 0.01, 0.999)),
    ("adam_amsgrad", 3, (1e-2, 0.9, 0.999, 0.1, 0.001, 1e-8, 0.0, 1.0)),
    ("rmsprop", 1, (1e-2, 0.99, 0.01, 1e-8, 0.01))])
def test_optimizer_kernel_equals_array_formula(target, dtype, name, states, scalars):
    rng = np.random.default_rng(1)
    size = 29 if target == "cuda" else 513
    p, d = rng.standard_normal(size).astype(dtype), rng.standard_normal(size).astype(dtype)
    state = [np.abs(rng.standard_normal(size)).astype(dtype) for _ in range(states)]
    expected = on_arrays(FORMULAS[name].function, xp)(p, d, *state, *scalars)
    expected = expected if isinstance(expected, tuple) else (expected,)
    cast = [s if isinstance(s, bool) else dtype(s) for s in scalars]
    run(target, dtype, name + "_update", p, d, *state, *cast)
    for got, want in zip([p] + state, expected):
        assert_close(got, want, dtype)


def _lstm_arrays(rng, dtype, batch=3, units=5):
    a = rng.uniform(-3, 3, (batch, 4 * units)).astype(dtype)
    return a, rng.uniform(-1, 1, (batch, units)).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lstm_step_kernels_equal_the_cell_formulas(target, dtype):
    rng = np.random.default_rng(2)
    a, c_prev = _lstm_arrays(rng, dtype)
    projected = rng.uniform(-2, 2, a.shape).astype(dtype)
    bias = rng.uniform(-1, 1, a.shape[1]).astype(dtype)
    recurrent = a - projected - bias                 # the three parts add up to a
    n = c_prev.shape[1]
    h, c, tanh_c = (np.empty_like(c_prev) for _ in range(3))
    gates = np.empty_like(a)
    run(target, dtype, "lstm_step_forward", projected, recurrent, bias, c_prev, h, c, gates,
        tanh_c)
    want = lstm_cell(projected, recurrent, bias, c_prev)
    for got, expected in zip((h, c, gates, tanh_c), want):
        assert_close(got, expected, dtype)
    # lstm_gate's ½ + ½ tanh(a/2) is σ: the same numbers as the stable sigmoid formula
    np.testing.assert_allclose(gates[:, :n], on_arrays(FORMULAS["sigmoid"].function, xp)(a[:, :n]),
                               rtol=1e-5 if dtype == np.float32 else 1e-12)
    dh, dc_next = rng.standard_normal(c.shape).astype(dtype), rng.standard_normal(c.shape) \
        .astype(dtype)
    da, dc_prev = np.empty_like(a), np.empty_like(c_prev)
    run(target, dtype, "lstm_step_backward", dh, dc_next, c_prev, gates, tanh_c, da, dc_prev)
    for got, expected in zip((da, dc_prev), lstm_cell_backward(dh, dc_next, c_prev, gates,
                                                                tanh_c)):
        assert_close(got, expected, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kernel", sorted(kc.SELECTIONS))
def test_where_kernels_equal_numpys_where(target, dtype, kernel):
    """Each selection, with inf and nan among the values (a blend must not turn them into
    anything else, as ``a * condition`` would: inf · 0 = nan)."""
    rng = np.random.default_rng(4)
    size = 37 if target == "cuda" else 1001
    condition = rng.random(size) > 0.5
    a, b = (rng.standard_normal(size).astype(dtype) for _ in range(2))
    a[:3], b[:3] = [np.inf, np.nan, -np.inf], [np.nan, -np.inf, np.inf]
    a = dtype(-2.5) if kernel == "where_number_a_map" else a
    b = dtype(0.0) if kernel == "where_number_b_map" else b
    out = np.empty(size, dtype)
    run(target, dtype, kernel, condition, a, b, out)
    np.testing.assert_array_equal(out, np.where(condition, a, b))


def test_where_door_takes_only_what_its_kernels_run():
    """Same-shape arrays (or a number) with a contiguous boolean condition take the kernel;
    a broadcast, a non-boolean condition, integers or a Tensor take NumPy's ``where``."""
    rng = np.random.default_rng(5)
    condition = rng.random((6, 7)) > 0.5
    x, y = (rng.standard_normal((6, 7)).astype(np.float32) for _ in range(2))
    door.set_kernels("on")
    try:
        for a, b in ((x, y), (x, 0.0), (0, y), (x, np.inf)):
            got = door.where(condition, a, b)
            assert got is not None and got.dtype == np.float32
            np.testing.assert_array_equal(got, np.where(condition, a, b))
        assert door.where(condition[:, :1].copy(), x, y) is None          # a broadcast
        assert door.where(condition.astype(np.float32), x, y) is None     # not boolean
        assert door.where(condition, x.astype(np.int64), 0) is None       # integers
        assert door.where(condition.T, x.T, y.T) is None                  # strided
        assert door.where(condition, mg.tensor(x), 0.0) is None           # a Tensor
        assert door.where(mg.tensor(condition), mg.tensor(x), 0.0) is None  # graph mode
        assert door.where(condition, 1.0, 0.0) is None                    # no array
    finally:
        door.set_kernels("auto")
    door.set_kernels("off")
    try:
        assert door.where(condition, x, y) is None
    finally:
        door.set_kernels("auto")


def test_where_op_gives_the_same_values_and_gradients_with_kernels_on_and_off():
    rng = np.random.default_rng(6)
    condition = mg.tensor(rng.random((5, 8)) > 0.5)
    x, y = (rng.standard_normal((5, 8)) for _ in range(2))
    results = []
    for mode in ("on", "off"):
        door.set_kernels(mode)
        try:
            a, b = mg.tensor(x, requires_grad=True), mg.tensor(y, requires_grad=True)
            out = mg.where(condition, a, b)
            (out * mg.tensor(np.arange(40.0).reshape(5, 8))).sum().backward()
            results.append((out.numpy(), a.grad.numpy(), b.grad.numpy()))
        finally:
            door.set_kernels("auto")
    for on, off in zip(*results):
        np.testing.assert_array_equal(on, off)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_cross_entropy_kernels(target, dtype):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((7, 5)) * 30).astype(dtype)  # wide logits: the shift matters
    target_ = np.array([0, 4, -100, 2, 2, 1, 3])
    p, loss = np.empty_like(x), np.empty(7, dtype)
    run(target, dtype, "softmax_cross_entropy_forward", x, target_, -100, p, loss)
    shifted = x - x.max(1, keepdims=True)
    want_p = np.exp(shifted) / np.exp(shifted).sum(1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    want_loss = np.where(target_ == -100, 0, -log_p[np.arange(7), np.maximum(target_, 0)])
    assert_close(p, want_p, dtype)
    assert_close(loss, want_loss, dtype)
    scale, dx = rng.uniform(0.5, 2, 7).astype(dtype), np.empty_like(x)
    run(target, dtype, "softmax_cross_entropy_backward", p, target_, -100, scale, dx)
    one_hot = np.zeros_like(x)
    one_hot[np.arange(7), np.maximum(target_, 0)] = target_ != -100
    want = (p - one_hot) * (scale * (target_ != -100))[:, None]
    assert_close(dx, want, dtype)


@pytest.mark.parametrize("size", [(7, 8), (6, 8)])  # 2×2 windows, stride 2, tile (6, 8)
@pytest.mark.parametrize("geometry", [((2, 2), (2, 2), (1, 1)), ((3, 3), (2, 2), (1, 1)),
                                      ((2, 3), (1, 2), (2, 1))])
def test_max_pool_kernels_equal_the_running_maximum(target, geometry, size):
    kernel, stride, dilation = geometry
    rng = np.random.default_rng(4)
    image = rng.standard_normal(size + (2, 3)).astype(np.float32)  # pixel-major
    image[0, 0, 0, 0] = image[0, 1, 0, 0]                          # a tie: the first wins
    out = tuple((n - d * (k - 1) - 1) // s + 1 for n, k, s, d in
                zip(image.shape[:2], kernel, stride, dilation))
    best = np.empty(out + image.shape[2:], np.float32)
    winner = np.empty(best.shape, np.uint8)
    run(target, np.float32, "max_pool_forward", image, *kernel, *stride, *dilation, best,
        winner)
    x = mg.tensor(image.transpose(2, 3, 0, 1), requires_grad=True)
    door.set_kernels("off")
    try:
        y = F.max_pool2d(x, kernel, stride, dilation=dilation)
        g = rng.standard_normal(y.shape).astype(np.float32)
        y.backward(mg.tensor(g))
    finally:
        door.set_kernels("auto")
    np.testing.assert_array_equal(best, y.numpy().transpose(2, 3, 0, 1))
    tiled = tiles(image.shape, kernel, stride, dilation, best.shape[:2])
    grad = np.full_like(image, np.nan if tiled else 0.0)  # tiled: every pixel gets written
    run(target, np.float32, "max_pool_backward", np.ascontiguousarray(g.transpose(2, 3, 0, 1)),
        winner, *kernel, *stride, *dilation, tiled, grad)
    np.testing.assert_allclose(grad, x.grad.numpy().transpose(2, 3, 0, 1), rtol=1e-6)


@pytest.mark.parametrize("geometry", [((3, 3), (1, 1), (1, 1)), ((2, 3), (2, 1), (1, 2)),
                                      ((3, 2), (2, 3), (2, 1))])
def test_fold_kernel_adds_each_window_back_where_it_read(target, geometry):
    """col2im: the kernel (a scatter on the CPU, a gather per pixel on CUDA) equals
    ``add_at_offsets``, overlapping windows, strides and dilations included."""
    from minigrad.ops.conv import add_at_offsets, output_size
    kernel, stride, dilation = geometry
    size, batch, channels = (7, 6), 2, 3
    out = tuple(output_size(n, k, s, 0, d) for n, k, s, d in zip(size, kernel, stride, dilation))
    d = np.random.default_rng(5).standard_normal(out + (batch,) + kernel + (channels,))
    shape = size + (batch, channels)
    grad = np.zeros(shape)
    run(target, np.float64, "fold_windows", d, *stride, *dilation, grad)
    want = add_at_offsets(lambda u, v: d[:, :, :, u, v], shape, kernel, stride, dilation, out,
                          d.dtype)
    np.testing.assert_allclose(grad, want, rtol=1e-12, atol=1e-12)


def test_conv_input_gradient_is_the_same_with_the_fold_kernel_and_without():
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((3, 4, 9, 8)), rng.standard_normal((5, 4, 3, 2))
    grads = []
    for mode in ("on", "off"):
        door.set_kernels(mode)
        try:
            xt = mg.tensor(x, requires_grad=True)
            (F.conv2d(xt, mg.tensor(w), stride=(2, 1), padding=1, dilation=(1, 2)) ** 2).sum() \
                .backward()
            grads.append(xt.grad.numpy())
        finally:
            door.set_kernels("auto")
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------- on and off
def _training_losses(mode: str, build, batch, loss_fn, optimizer=optim.Adam, steps=4):
    door.set_kernels(mode)
    try:
        mg.manual_seed(0)
        model = build()
        opt = optimizer(model.parameters(), lr=0.01)
        losses = []
        for _ in range(steps):
            opt.zero_grad()
            loss = loss_fn(model, *batch)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses
    finally:
        door.set_kernels("auto")


@pytest.mark.parametrize("case", ["p2_mlp", "lstm", "cnn", "gelu_sigmoid_sgd"])
def test_training_gives_the_same_losses_with_kernels_on_and_off(case):
    rng = np.random.default_rng(0)
    images = mg.tensor(rng.standard_normal((8, 1, 10, 10)).astype(np.float32))
    labels = mg.tensor(rng.integers(0, 10, 8))
    cases = {
        "p2_mlp": (lambda: nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64),
                                         nn.ReLU(), nn.Linear(64, 10)),
                   (mg.tensor(rng.standard_normal((32, 784)).astype(np.float32)),
                    mg.tensor(rng.integers(0, 10, 32))),
                   lambda m, x, y: F.cross_entropy(m(x), y), optim.Adam),
        "lstm": (lambda: nn.LSTM(6, 8, num_layers=2),
                 (mg.tensor(rng.standard_normal((9, 4, 6)).astype(np.float32)),),
                 lambda m, x: (m(x)[0] ** 2).mean(), optim.RMSprop),
        "cnn": (lambda: nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Flatten(), nn.Linear(64, 10)),
                (images, labels), lambda m, x, y: F.cross_entropy(m(x), y), optim.AdamW),
        "gelu_sigmoid_sgd": (lambda: nn.Sequential(nn.Linear(5, 7), nn.GELU(), nn.Linear(7, 3),
                                                   nn.Sigmoid(), nn.LeakyReLU(0.1)),
                             (mg.tensor(rng.standard_normal((6, 5)).astype(np.float32)),),
                             lambda m, x: m(x).sum(),
                             lambda p, lr: optim.SGD(p, lr, momentum=0.9, nesterov=True)),
    }
    build, batch, loss_fn, optimizer = cases[case]
    on = _training_losses("on", build, batch, loss_fn, optimizer)
    off = _training_losses("off", build, batch, loss_fn, optimizer)
    np.testing.assert_allclose(on, off, rtol=2e-5)


def test_kernels_are_used_only_where_the_door_says():
    x = np.ones(6, np.float32)
    mg.set_kernels("off")  # the public name is the door's
    assert mg.kernels_mode() == "off"
    assert door._compiled("pointwise", x) is None and door.path("optimizer", "cpu") == \
        "array formula"
    door.set_kernels("on")
    try:
        assert door._compiled("pointwise", x) is not None
        assert door._compiled("pointwise", x.astype(np.float16)) is None      # float16
        assert door._compiled("pointwise", np.ones((4, 4), np.float32).T) is None  # strided
        assert door._compiled("pointwise", mg.tensor(x)) is None              # a Tensor
        assert door.path("lstm", "cuda") == ("kernel" if not runtime.simulated()
                                             else "array formula")
    finally:
        door.set_kernels("auto")
    with pytest.raises(ValueError, match="set_kernels: mode must be one of"):
        door.set_kernels("fast")


def test_pointwise_kernel_walks_arrays_stored_in_any_one_axis_order():
    """A convolution's output is an (N, C, H, W) view of (H, W, N, C) memory: the kernel runs
    on its memory as one flat run and returns the result in the same layout; arrays whose
    layouts differ take the array formula.  Both give the same numbers."""
    rng = np.random.default_rng(0)
    g, z = (rng.standard_normal((5, 6, 3, 4)).astype(np.float32).transpose(2, 3, 0, 1)
            for _ in range(2))
    assert door.memory_order((g, z)) == (2, 3, 0, 1)
    assert door.memory_order((g, np.ascontiguousarray(z))) is None
    expected = np.where(z > 0, g, 0)
    door.set_kernels("on")
    try:
        out = door.pointwise(relu_back, g, z)
        mixed = door.pointwise(relu_back, g, np.ascontiguousarray(z))
    finally:
        door.set_kernels("auto")
    assert out.strides == z.strides                       # the kernel's: same layout
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(mixed, expected)


def test_environment_variable_sets_the_mode_and_a_bad_one_is_refused():
    code = "import minigrad; print(minigrad.kernels_mode())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**__import__("os").environ, "MINIGRAD_KERNELS": "off"})
    assert done.stdout.strip() == "off"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**__import__("os").environ, "MINIGRAD_KERNELS": "fast"})
    assert done.returncode != 0 and "MINIGRAD_KERNELS='fast'" in done.stderr


def test_the_written_module_carries_a_hash_of_its_sources_and_lives_in_the_cache(tmp_path,
                                                                                monkeypatch):
    monkeypatch.setenv("MINIGRAD_KERNEL_CACHE", str(tmp_path))
    assert kc.cache_folder() == tmp_path
    source = kc.module_source("cpu", "float32", REGISTERED)
    assert "def adam(p, d, m, v" in source and "def relu_back_map(g, z, out)" in source
    assert "ONE = np.float32" in source.replace("ZERO, HALF, ONE, TWO = np.float32", "ONE = "
                                                "np.float32")
    assert kc.module_source("cpu", "float64", REGISTERED) != source
    assert "SQRT_HALF = DTYPE(0.7071067811865476)" in source       # a formula's coefficient
    assert "@formula" not in source                                 # decorators left behind
    with pytest.raises(TypeError, match="float32 and float64 only"):
        kc.kernels("cpu", np.float16)


def test_bind_refuses_a_missing_name():
    with pytest.raises(TypeError, match="no binding for"):
        bind(FORMULAS["relu"].function, ZERO=0.0)


@pytest.mark.parametrize("mode", ["on", "off"])
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_linear_epilogue_node_equals_linear_then_activation(activation, mode):
    """Linear + activation as one node (bias add and activation in one pass) gives the values
    and gradients of the two separate ops, and differentiates twice."""
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((6, 4)), \
        rng.standard_normal(6)
    door.set_kernels(mode)
    try:
        for dtype, tolerance in ((np.float32, 1e-5), (np.float64, 1e-12)):
            inputs = [mg.tensor(a.astype(dtype), requires_grad=True) for a in (x, w, b)]
            fused = F.linear_activation(*inputs, activation)
            fused.sum().backward()
            grads = [t.grad.array for t in inputs]
            for t in inputs:
                t.grad = None
            separate = getattr(F, activation)(F.linear(*inputs))
            separate.sum().backward()
            np.testing.assert_allclose(fused.array, separate.array, atol=tolerance)
            for got, expected in zip(grads, (t.grad.array for t in inputs)):
                np.testing.assert_allclose(got, expected, atol=tolerance)
        assert gradgradcheck(lambda *t: F.linear_activation(*t, activation),
                                *(mg.tensor(a, requires_grad=True) for a in (x, w, b)))
    finally:
        door.set_kernels("auto")


def test_sequential_fuses_linear_epilogues_only_where_the_door_says():
    ends = {"tanh": (nn.Linear(3, 2), nn.Tanh()), "no bias": (nn.Linear(3, 2, bias=False),
                                                                nn.ReLU()),
            "gelu": (nn.Linear(3, 2), nn.GELU())}
    expected = {"on": {"tanh": "LinearActivationBackward", "no bias": "ReLUBackward",
                       "gelu": "GELUBackward"},
                "off": {"tanh": "TanhBackward", "no bias": "ReLUBackward",
                        "gelu": "GELUBackward"}}
    try:
        for mode, names in expected.items():
            door.set_kernels(mode)
            for end, name in names.items():
                model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), *ends[end]).fuse()
                assert model(mg.randn(5, 4)).grad_fn.name == name, (mode, end)
                assert model.fuse(False)(mg.randn(5, 4)).grad_fn.name == \
                    expected["off"][end], (mode, end)          # unfused: what it prints runs
        door.set_kernels("on")  # a layer whose forward is replaced on the instance runs it
        model, seen = nn.Sequential(nn.Linear(4, 3), nn.Tanh()).fuse(), []
        object.__setattr__(model[0], "forward", lambda x: seen.append(x) or x[:, :3])
        assert model(mg.randn(5, 4, requires_grad=True)).grad_fn.name == "TanhBackward"
        assert len(seen) == 1
        with pytest.raises(ValueError, match="linear_activation: activation must be one of"):
            F.linear_activation(mg.ones(1, 2), mg.ones(2, 2), mg.ones(2), "gelu")
    finally:
        door.set_kernels("auto")


def test_sequential_runs_what_it_prints_unless_fused():
    """A plain Sequential calls each child in turn; ``fuse()`` is the opt-in to the two
    rewrites, which the printed model then lists, with the same values and gradients."""
    modules = (nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 5),
               nn.Sigmoid(), nn.Linear(5, 3))
    plain = nn.Sequential(*modules)
    x = mg.randn(2, 1, 6, 6, requires_grad=True)

    def ops(out):  # the ops that ran, first to last, following each node's first input
        names, node = [], out.grad_fn
        while hasattr(node, "parents"):   # a node, not yet the input leaf
            names.append(node.name.removesuffix("Backward"))
            node = node.parents[0]
        return names[::-1]
    try:
        door.set_kernels("on")
        out = plain(x)
        assert ops(out)[1:] == ["ReLU", "MaxPool2d", "Reshape", "Linear", "Sigmoid", "Linear"]
        assert "fused" not in repr(plain)
        out.sum().backward()
        expected_grads = [p.grad.numpy().copy() for p in [x, *plain.parameters()]]
        fused = nn.Sequential(*modules).fuse()
        assert fused.rewrites() == {"1": ("2", None), "4": ("5", "sigmoid")}
        assert repr(fused).splitlines()[1] == (
            "  fused: (1, 2) max pool first, then the ReLU; (4, 5) linear + sigmoid as one "
            "node where the kernels run")
        for p in [x, *plain.parameters()]:
            p.grad = None
        out = fused(x)
        assert ops(out)[1:] == ["MaxPool2d", "ReLU", "Reshape", "LinearActivation", "Linear"]
        np.testing.assert_allclose(out.numpy(), plain(x).numpy(), rtol=1e-6)
        out.sum().backward()
        for got, want in zip([p.grad.numpy() for p in [x, *plain.parameters()]], expected_grads):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        assert fused[:3].fused and fused[:3].rewrites() == {"1": ("2", None)}
    finally:
        door.set_kernels("auto")
