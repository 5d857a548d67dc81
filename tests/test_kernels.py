"""Every Numba CUDA kernel against NumPy on small and odd shapes (1×1, 17×33, sizes that are not
multiples of a tile).  Without a GPU they run in Numba's CUDA simulator (CI); on a machine with
an NVIDIA GPU and CuPy the same tests run the compiled kernels for real:

    pip install -e ".[dev,gpu]" && pytest tests/test_kernels.py

(``NUMBA_ENABLE_CUDASIM=1`` forces the simulator even there.)"""
import numpy as np
import pytest
from scipy.special import erf

import minigrad_kernels
from minigrad_kernels import activations, launch, matmul, reduce, runtime, softmax

SIMULATED = runtime.simulated()
rng = np.random.default_rng(0)


def on_device(array: np.ndarray):
    """The array where the kernels run: NumPy in the simulator, CuPy on a GPU."""
    if SIMULATED:
        return np.ascontiguousarray(array)
    import cupy
    return cupy.asarray(array)


def on_host(array) -> np.ndarray:
    return array if isinstance(array, np.ndarray) else array.get()


def float32(*shape, scale=1.0) -> np.ndarray:
    return (scale * rng.standard_normal(shape)).astype(np.float32)


def test_the_package_lists_its_families():
    assert minigrad_kernels.KERNEL_FAMILIES == ("matmul", "activations", "softmax", "reduce")


# ----------------------------------------------------------------------------- matmul
SHAPES = [(1, 1, 1), (17, 33, 9), (5, 1, 7), (33, 17, 40)]


@pytest.mark.parametrize("kernel", sorted(matmul.KERNELS))
@pytest.mark.parametrize("m, k, n", SHAPES)
def test_matmul_kernels_match_numpy(kernel, m, k, n):
    a, b = float32(m, k), float32(k, n)
    c = on_host(matmul.matmul(on_device(a), on_device(b), kernel=kernel))
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kernel", ["register_blocked", "fast"])
def test_matmul_spans_several_blocks_of_the_big_tiles(kernel):
    """C larger than one 64×64 / 128×128 tile, with ragged edges in both directions."""
    a, b = float32(130, 11), float32(11, 70)
    c = on_host(matmul.matmul(on_device(a), on_device(b), kernel=kernel))
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)


def test_matmul_launch_covers_c_with_tiles():
    assert matmul.launch_shape("fast", 129, 1) == ((1, 2), (16, 16))
    assert matmul.launch_shape("tiled", 17, 33) == ((3, 2), (16, 16))


def test_matmul_rejects_shapes_that_do_not_multiply():
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 5\)"):
        matmul.matmul(on_device(float32(2, 3)), on_device(float32(4, 5)))


# ----------------------------------------------------------------------------- activations
def _normal_cdf(x):
    return 0.5 * (1 + erf(x / np.sqrt(2)))


REFERENCE = {  # name: (f, f') in float64
    "relu": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(float)),
    "leaky_relu": (lambda x: np.where(x > 0, x, 0.01 * x), lambda x: np.where(x > 0, 1, 0.01)),
    "sigmoid": (lambda x: 0.5 * (1 + np.tanh(x / 2)),
                lambda x: 0.25 * (1 - np.tanh(x / 2) ** 2)),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "gelu": (lambda x: x * _normal_cdf(x),
             lambda x: _normal_cdf(x) + x * np.exp(-x * x / 2) / np.sqrt(2 * np.pi)),
}


def _with_extremes(x: np.ndarray) -> np.ndarray:
    flat = x.reshape(-1)
    flat[:4] = [0.0, 100.0, -100.0, 1e-30][:flat.size]
    return x


@pytest.mark.parametrize("name", sorted(REFERENCE))
@pytest.mark.parametrize("shape", [(1,), (17, 33)])
def test_activation_forward_and_backward_match_the_formulas(name, shape):
    f, f_grad = REFERENCE[name]
    x, g = _with_extremes(float32(*shape, scale=3.0)), float32(*shape)
    y = on_host(activations.activation_forward(on_device(x), name))
    saved = y if activations.BACKWARD_FROM[name] == "output" else x
    dx = on_host(activations.activation_backward(on_device(g), on_device(saved), name))
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(dx))
    np.testing.assert_allclose(y, f(x.astype(float)), rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(dx, g * f_grad(x.astype(float)), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_bias_activation_is_f_of_z_plus_bias(name):
    z, bias = float32(17, 33), float32(33)
    y = on_host(activations.bias_activation(on_device(z), on_device(bias), name))
    np.testing.assert_allclose(y, REFERENCE[name][0]((z + bias).astype(float)), rtol=2e-5,
                               atol=1e-6)


def test_activation_kernels_refuse_bad_input():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        activations.activation_forward(on_device(float32(3)), "swish")
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        activations.activation_backward(on_device(float32(3)), on_device(float32(4)), "relu")
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(2,\)"):
        activations.bias_activation(on_device(float32(2, 3)), on_device(float32(2)), "relu")


# ----------------------------------------------------------------------------- softmax
def _log_softmax(x):
    x = x.astype(float)
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("shape", [(1, 1), (3, 200), (4, 33)])
@pytest.mark.parametrize("log", [False, True])
def test_row_softmax_matches_numpy(shape, log):
    x = float32(*shape, scale=5.0)
    x[0, 0] = 1e4  # a huge logit: the stable form must not overflow
    out = on_host(softmax.softmax(on_device(x), log=log))
    expected = _log_softmax(x) if log else np.exp(_log_softmax(x))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("rows, classes", [(1, 1), (5, 10), (4, 130)])
def test_fused_cross_entropy_forward_and_backward(rows, classes):
    logits = float32(rows, classes, scale=4.0)
    targets = rng.integers(0, classes, rows)
    scale = np.full(rows, 1.0 / rows, np.float32)  # the mean over the batch
    losses, log_probs = softmax.cross_entropy(on_device(logits), on_device(targets))
    grad = on_host(softmax.cross_entropy_grad(log_probs, on_device(targets), on_device(scale)))
    expected_log_probs = _log_softmax(logits)
    np.testing.assert_allclose(on_host(losses), -expected_log_probs[np.arange(rows), targets],
                               rtol=1e-5, atol=1e-5)
    one_hot = np.eye(classes)[targets]
    np.testing.assert_allclose(grad, (np.exp(expected_log_probs) - one_hot) / rows, rtol=1e-5,
                               atol=1e-6)


def test_cross_entropy_kernel_needs_one_target_per_row():
    with pytest.raises(ValueError, match=r"one target per row.*\(3,\)"):
        softmax.cross_entropy(on_device(float32(2, 4)), on_device(np.zeros(3, np.int64)))


# ----------------------------------------------------------------------------- reductions
@pytest.mark.parametrize("shape, axis", [((1, 1), 0), ((1, 1), 1), ((5, 33), 0), ((5, 33), 1),
                                         ((3, 300), 1), ((200, 2), 0)])
def test_sum_along_an_axis(shape, axis):
    x = float32(*shape)
    out = on_host(reduce.sum_along(on_device(x), axis))
    np.testing.assert_allclose(out, x.astype(float).sum(axis=axis), rtol=1e-5, atol=1e-5)


def test_sum_along_refuses_other_axes():
    with pytest.raises(ValueError, match="axis 2"):
        reduce.sum_along(on_device(float32(2, 3)), 2)


# ----------------------------------------------------------------------------- launching
def test_signature_names_dtype_dimensions_and_layout():
    c_matrix, strided = np.zeros((2, 3), np.float32), np.zeros((4, 6), np.float32)[:, ::2]
    assert (launch.numba_signature([c_matrix, strided, np.float32(1.0), True])
            == "void(float32[:, ::1], float32[:, :], float32, bool)")


def test_an_empty_grid_launches_nothing():
    out = on_host(softmax.softmax(on_device(float32(0, 5))))
    assert out.shape == (0, 5)


@pytest.mark.skipif(SIMULATED, reason="the PTX-through-CuPy launch needs a real GPU")
def test_ptx_launch_through_cupy_matches_numba_launch():  # pragma: no cover - GPU only
    a, b = float32(33, 17), float32(17, 40)
    c = on_host(matmul.matmul(on_device(a), on_device(b), kernel="tiled"))
    assert launch._compiled, "CuPy arrays on a GPU should take the PTX path"
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)
