"""Activations (F10): values and gradients equal PyTorch's and central differences; the stable
forms stay finite and silent at |x| = 1e4."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg
import minigrad.functional as F
from reference import assert_gradcheck, assert_matches_torch, torch_or_skip
from strategies import arrays, away_from, shapes


def torch_f():
    return torch_or_skip().nn.functional


ACTIVATIONS = {
    "relu": (F.relu, lambda x: torch_f().relu(x), [0.0]),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), lambda x: torch_f().leaky_relu(x, 0.1), [0.0]),
    "sigmoid": (F.sigmoid, lambda x: torch_f().sigmoid(x), []),
    "tanh": (F.tanh, lambda x: torch_f().tanh(x), []),
    "gelu": (F.gelu, lambda x: torch_f().gelu(x), []),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: torch_f().gelu(x, approximate="tanh"), []),
    "softplus": (F.softplus, lambda x: torch_f().softplus(x), []),
    "softplus_beta": (lambda x: F.softplus(x, beta=2.0, threshold=3.0),  # linear above x = 1.5
                      lambda x: torch_f().softplus(x, beta=2.0, threshold=3.0), [1.5]),
    "elu": (F.elu, lambda x: torch_f().elu(x), [0.0]),
    "elu_alpha": (lambda x: F.elu(x, 0.3), lambda x: torch_f().elu(x, 0.3), [0.0]),
    "silu": (F.silu, lambda x: torch_f().silu(x), []),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@given(data=st.data())
def test_activation(name, data):
    ours, theirs, kinks = ACTIVATIONS[name]
    x = away_from(data.draw(arrays(data.draw(shapes()), -4, 4)), kinks)
    assert_matches_torch(ours, theirs, x)
    assert_gradcheck(ours, x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(data=st.data())
def test_softmax_family_along_every_dim(name, data):
    x = data.draw(arrays(data.draw(shapes(min_dims=1)), -5, 5))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    ours = lambda t: getattr(F, name)(t, dim=dim)  # noqa: E731
    theirs = lambda t: getattr(torch_f(), name)(t, dim=dim)  # noqa: E731
    assert_matches_torch(ours, theirs, x)
    assert_gradcheck(ours, x)


EXTREME = np.array([-1e4, -1000.0, -50.0, 0.0, 50.0, 1000.0, 1e4])


@pytest.mark.parametrize("fn", [F.relu, F.sigmoid, F.tanh, F.gelu, F.softplus, F.elu, F.silu,
                                lambda x: F.softplus(x, beta=0.5, threshold=40.0),
                                lambda x: F.softmax(x, 0), lambda x: F.log_softmax(x, 0),
                                lambda x: F.leaky_relu(x)])
@pytest.mark.parametrize("dtype", [mg.float32, mg.float64])
def test_no_overflow_at_extreme_inputs(fn, dtype):
    x = mg.tensor(EXTREME, dtype=dtype, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = fn(x)
        y.sum().backward()
    assert np.all(np.isfinite(y.array)) and np.all(np.isfinite(x.grad.array))


def test_extreme_values_match_torch():
    for ours, theirs in [(F.sigmoid, "sigmoid"), (F.softplus, "softplus"), (F.elu, "elu"),
                         (F.silu, "silu"),
                         (lambda t: F.log_softmax(t, 0), lambda t: torch_f().log_softmax(t, 0))]:
        theirs = getattr(torch_f(), theirs) if isinstance(theirs, str) else theirs
        assert_matches_torch(ours, theirs, EXTREME.copy())


def test_naive_forms_overflow_where_stable_ones_do_not():
    """Why the stable forms exist: the printed formulas give inf/nan at large |x|."""
    x = np.array([-1000.0, 1000.0])
    with np.errstate(over="ignore", invalid="ignore"):
        naive_sigmoid = 1 / (1 + np.exp(-x))
        naive_tanh = (np.exp(2 * x) - 1) / (np.exp(2 * x) + 1)
    assert np.isnan(naive_tanh[1])
    np.testing.assert_allclose(naive_sigmoid, [0, 1])  # right values, but after an overflow
    np.testing.assert_allclose(F.tanh(mg.tensor(x)).array, [-1, 1])


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="gelu: approximate must be"):
        F.gelu(mg.ones(2), approximate="fast")


@pytest.mark.parametrize("module, function", [(mg.nn.ELU(0.5), lambda x: F.elu(x, 0.5)),
                                              (mg.nn.SiLU(), F.silu),
                                              (mg.nn.Softplus(2.0, 5.0),
                                               lambda x: F.softplus(x, 2.0, 5.0))])
def test_activation_modules_call_their_function(module, function):
    x = mg.tensor(np.linspace(-4, 4, 9))
    np.testing.assert_array_equal(module(x).array, function(x).array)


def test_integer_inputs_give_the_default_float_as_pytorch():
    for fn in (F.sigmoid, F.tanh, F.elu, F.silu, F.softplus, F.gelu):
        assert fn(mg.tensor([1, 2, 3])).dtype == mg.float32
