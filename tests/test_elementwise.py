"""Elementwise ops: values and gradients equal PyTorch's and central differences, over
broadcasting shapes; reflected scalars; comparisons; error messages."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import minigrad as mg
from reference import assert_gradcheck, assert_matches_torch, torch_or_none, torch_or_skip
from strategies import arrays, away_from, broadcast_pair, shapes

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "maximum": (mg.maximum, lambda a, b: __import__("torch").maximum(a, b)),
    "minimum": (mg.minimum, lambda a, b: __import__("torch").minimum(a, b)),
}


@pytest.mark.parametrize("name", BINARY)
@given(pair=broadcast_pair())
def test_binary_ops_broadcast(name, pair):
    a, b = pair
    if name == "div":
        b = np.where(np.abs(b) < 0.5, 0.5, b)
    if name in ("maximum", "minimum"):  # ties are tested on their own below
        assume(np.all(np.abs(np.subtract(a, b)) > 1e-3))
    ours, theirs = BINARY[name]
    assert_matches_torch(ours, theirs, a, b)
    assert_gradcheck(ours, a, b)


@given(pair=broadcast_pair(low=0.5, high=2.0))
def test_pow_with_tensor_exponent(pair):
    a, b = pair
    assert_matches_torch(lambda x, y: x ** y, lambda x, y: x ** y, a, b)
    assert_gradcheck(lambda x, y: x ** y, a, b)


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1.5])
def test_pow_with_scalar_exponent(exponent, rng):
    a = rng.uniform(0.5, 2, (3, 4))
    assert_matches_torch(lambda x: x ** exponent, lambda x: x ** exponent, a)
    assert_gradcheck(lambda x: x ** exponent, a)


def test_pow_exponent_gradient_at_zero_base():
    torch = torch_or_skip()
    base = np.array([0.0, 0.0, 2.0])
    exponent = np.array([2.0, 0.0, 1.5])
    assert_matches_torch(lambda x, y: x ** y, lambda x, y: torch.pow(x, y), base, exponent)


@pytest.mark.parametrize("shape", [(), (1,), (3,), (2, 1)])
@pytest.mark.parametrize("dtype", [mg.float32, mg.float64])
def test_pow_of_zero_to_an_integer_exponent_zero_has_gradient_zero(shape, dtype):
    """x⁰ is the constant 1, so d(x⁰)/dx = 0 at x = 0 too (PyTorch's value), never
    0 · 0⁻¹ = NaN; 0-d tensors included (their comparison is a single bool)."""
    x = mg.zeros(shape, dtype=dtype, requires_grad=True)
    n = mg.zeros(shape, dtype=mg.int64)
    (x ** n).sum().backward()
    assert np.array_equal(x.grad.array, np.zeros(shape))
    first, = mg.autograd.grad((x ** n).sum(), x, create_graph=True)
    assert np.array_equal(first.array, np.zeros(shape))
    torch = torch_or_none()
    if torch is not None:
        t = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
        (t ** torch.zeros(shape, dtype=torch.int64)).sum().backward()
        assert np.array_equal(t.grad.numpy(), x.grad.array)


UNARY = {
    "neg": (lambda x: -x, lambda x: -x, (-3, 3), []),
    "exp": (lambda x: x.exp(), lambda x: x.exp(), (-3, 3), []),
    "log": (lambda x: x.log(), lambda x: x.log(), (0.1, 3), []),
    "sqrt": (lambda x: x.sqrt(), lambda x: x.sqrt(), (0.1, 3), []),
    "abs": (lambda x: abs(x), lambda x: abs(x), (-3, 3), [0.0]),
    "clamp": (lambda x: x.clamp(-1, 0.5), lambda x: x.clamp(-1, 0.5), (-3, 3), [-1.0, 0.5]),
    "clamp_min": (lambda x: x.clamp(min=0), lambda x: x.clamp(min=0), (-3, 3), [0.0]),
}


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_ops(name, data):
    ours, theirs, (low, high), kinks = UNARY[name]
    x = away_from(data.draw(arrays(data.draw(shapes()), low, high)), kinks)
    assert_matches_torch(ours, theirs, x)
    assert_gradcheck(ours, x)


def test_abs_gradient_at_zero_is_zero():
    x = mg.tensor([0.0, -2.0, 3.0], requires_grad=True)
    abs(x).sum().backward()
    assert x.grad.tolist() == [0.0, -1.0, 1.0]


def test_clamp_gradient_passes_at_the_boundaries():
    """minigrad's rule (PyTorch up to 2.13; 2.14 gives 0 there): clamp is the identity on the
    closed interval, so a value exactly on a bound passes its gradient (Clamp's docstring)."""
    x = mg.tensor([-1.0, 0.5, 0.2, 3.0, -4.0], dtype=mg.float64, requires_grad=True)
    (x.clamp(-1, 0.5) * mg.tensor([2.0, 3.0, 5.0, 7.0, 11.0], dtype=mg.float64)).sum().backward()
    assert x.grad.tolist() == [2.0, 3.0, 5.0, 0.0, 0.0]
    x = mg.tensor([0.0, 1.0], requires_grad=True)
    x.clamp(min=0).sum().backward()
    x.clamp(max=1).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_clamp_equals_torch_away_from_the_boundaries():
    """Every PyTorch version agrees off the bounds (the boundary rule moved in 2.14)."""
    torch = torch_or_skip()
    x = np.array([-1.5, 0.49, 0.2, 3.0, -0.99])
    assert_matches_torch(lambda t: t.clamp(-1, 0.5), lambda t: torch.clamp(t, -1, 0.5), x)
    assert_matches_torch(lambda t: t.clamp(min=0.3), lambda t: torch.clamp(t, min=0.3), x)


def test_maximum_ties_split_the_gradient_like_torch():
    torch = torch_or_skip()
    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 3.0])
    assert_matches_torch(mg.maximum, torch.maximum, a, b)
    assert_matches_torch(mg.minimum, torch.minimum, a, b)


@given(pair=broadcast_pair())
def test_where(pair):
    torch = torch_or_skip()
    a, b = pair
    cond = (a > 0)
    assert_matches_torch(lambda x, y: mg.where(mg.tensor(cond), x, y),
                         lambda x, y: torch.where(torch.tensor(cond), x, y), a, b)


def test_reflected_scalars_and_numpy_arrays():
    x = mg.tensor([1.0, 2.0, 4.0], requires_grad=True)
    y = 2 - x + 3 * x + 8 / x + 2 ** x + np.array([1.0, 1.0, 1.0]) * x
    y.sum().backward()
    expected = -1 + 3 - 8 / np.array([1, 4, 16]) + np.log(2) * 2 ** np.array([1, 2, 4]) + 1
    np.testing.assert_allclose(x.grad.array, expected, rtol=1e-6)
    assert isinstance(np.ones(3) + x, mg.Tensor)


def test_python_scalars_keep_float32():
    x = mg.ones(3)
    assert (x * 2.5).dtype == mg.float32 and (1 / x).dtype == mg.float32


def test_comparisons_return_tensors_without_grad():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (x > 1, x >= 2, x < 3, x <= 2, x == 2, x != 2):
        assert isinstance(result, mg.Tensor) and result.dtype == mg.bool_
        assert not result.requires_grad
    assert (x > 1).tolist() == [False, True, True]


def test_float32_gradients_stay_float32():
    x = mg.randn(3, requires_grad=True)
    (x * np.ones(3, dtype=np.float64)).sum().backward()
    assert x.grad.dtype == mg.float32


def test_broadcast_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        mg.ones(2, 3) + mg.ones(4)
    with pytest.raises(ValueError, match=r"mul: shapes \(3,\) and \(2,\)"):
        mg.ones(3) * mg.ones(2)


# ----------------------------------------------------------------------------- trigonometry, floor
@pytest.mark.parametrize("name", ["sin", "cos", "erf"])
@given(x=arrays(shapes(), -4, 4))
def test_smooth_unary_ops(name, x):
    ours = lambda t: getattr(t, name)()  # noqa: E731
    theirs = lambda t: getattr(t, name)()  # noqa: E731
    assert_matches_torch(ours, theirs, x)
    assert_gradcheck(ours, x)
    np.testing.assert_array_equal(getattr(mg, name)(mg.tensor(x)).array, ours(mg.tensor(x)).array)


@given(x=arrays(shapes(), -4, 4))
def test_floor_and_trunc_have_zero_gradient(x):
    for name in ("floor", "trunc"):
        assert_matches_torch(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), x)


# ----------------------------------------------------------------------------- PyTorch's spellings
@given(pair=broadcast_pair(), alpha=st.sampled_from([1, 0.5, -2]))
def test_method_spellings_of_the_operators(pair, alpha):
    a, b = pair
    assert_matches_torch(lambda x, y: x.add(y, alpha=alpha), lambda x, y: x.add(y, alpha=alpha),
                         a, b)
    assert_matches_torch(lambda x, y: mg.sub(x, y, alpha=alpha),
                         lambda x, y: x.sub(y, alpha=alpha), a, b)
    assert_matches_torch(lambda x, y: mg.mul(x, y).neg(), lambda x, y: x.mul(y).neg(), a, b)
    b = np.where(np.abs(b) < 0.5, 1.0, b)
    assert_matches_torch(lambda x, y: x.div(y), lambda x, y: x.div(y), a, b)
    assert_matches_torch(lambda x: mg.pow(x, 2), lambda x: x.pow(2), a)


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_div_rounding_modes_on_integers_and_floats(mode):
    torch = torch_or_skip()
    a, b = np.array([-7, 7, 5, -5, 0]), np.array([2, 2, -3, -3, 4])
    got = mg.tensor(a).div(mg.tensor(b), rounding_mode=mode)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.array, torch.tensor(a).div(torch.tensor(b),
                                                                rounding_mode=mode).numpy())
    assert_matches_torch(lambda x: mg.div(x, 0.7, rounding_mode=mode),
                         lambda x: x.div(0.7, rounding_mode=mode), np.linspace(-3, 3, 13))
    with pytest.raises(ValueError, match="rounding_mode"):
        mg.tensor(a).div(2, rounding_mode="round")
