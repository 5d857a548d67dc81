"""Reductions: sum, mean, var, std, max/min (both tie rules), amax/amin, argmax/argmin."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg
from reference import assert_gradcheck, assert_matches_torch, torch_or_skip
from strategies import arrays, shapes


@st.composite
def array_and_dims(draw, min_dims=0):
    x = draw(arrays(draw(shapes(min_dims=min_dims))))
    if x.ndim == 0:
        return x, None
    choice = draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none":
        return x, None
    if choice == "int":
        return x, draw(st.integers(-x.ndim, x.ndim - 1))
    return x, tuple(draw(st.sets(st.integers(0, x.ndim - 1), min_size=1)))


@pytest.mark.parametrize("name", ["sum", "mean"])
@given(case=array_and_dims(), keepdim=st.booleans())
def test_sum_and_mean(name, case, keepdim):
    x, dim = case
    ours = lambda t: getattr(t, name)(dim=dim, keepdim=keepdim)  # noqa: E731
    theirs = lambda t: (getattr(t, name)() if dim is None and not keepdim  # noqa: E731
                        else getattr(t, name)(dim=dim if dim is not None else
                                              tuple(range(t.ndim)), keepdim=keepdim))
    assert_matches_torch(ours, theirs, x)
    assert_gradcheck(ours, x)


@pytest.mark.parametrize("name", ["var", "std"])
@given(case=array_and_dims(min_dims=1), keepdim=st.booleans(), correction=st.sampled_from([0, 1]))
def test_var_and_std(name, case, keepdim, correction):
    x, dim = case
    dims = tuple(range(x.ndim)) if dim is None else dim
    count = np.prod([x.shape[d] for d in np.atleast_1d(dims)])
    if count <= correction:
        return
    if name == "std" and count > 1 and x.std(axis=dims).min() < 1e-6:
        return  # equal elements: std sits on its kink and rounding picks the subgradient
    ours = lambda t: getattr(t, name)(dim=dim, keepdim=keepdim, correction=correction)  # noqa
    theirs = lambda t: getattr(t, name)(dim=dims, keepdim=keepdim, correction=correction)  # noqa
    assert_matches_torch(ours, theirs, x)  # includes std = 0, where both give gradient 0
    if name == "var" or x.std(axis=dims).min() > 1e-2:  # std has a kink at 0
        assert_gradcheck(ours, x)


def test_unbiased_spelling():
    x = mg.tensor([1.0, 2.0, 4.0])
    assert x.var(unbiased=False).item() == pytest.approx(np.var([1, 2, 4]))
    assert x.var().item() == pytest.approx(np.var([1, 2, 4], ddof=1))


@pytest.mark.parametrize("name", ["amax", "amin"])
@given(case=array_and_dims(), keepdim=st.booleans())
def test_amax_amin(name, case, keepdim):
    x, dim = case
    ours = lambda t: getattr(t, name)(dim=dim, keepdim=keepdim)  # noqa: E731
    theirs = lambda t: getattr(t, name)(dim=() if dim is None else dim, keepdim=keepdim)  # noqa
    assert_matches_torch(ours, theirs, x)


TIES = np.array([[3.0, 1.0, 3.0], [2.0, 2.0, 0.0]])


def test_max_without_dim_shares_gradient_among_ties_like_torch():
    assert_matches_torch(lambda t: t.max(), lambda t: t.max(), TIES)
    assert_matches_torch(lambda t: t.min(), lambda t: t.min(), TIES)
    x = mg.tensor(TIES, requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [[0.5, 0.0, 0.5], [0.0, 0.0, 0.0]]


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_max_with_dim_sends_gradient_to_the_returned_index_like_torch(dim, keepdim):
    torch = torch_or_skip()
    for op in ("max", "min"):
        assert_matches_torch(lambda t: getattr(t, op)(dim, keepdim).values,
                             lambda t: getattr(t, op)(dim, keepdim).values, TIES)
        ours = getattr(mg.tensor(TIES), op)(dim, keepdim).indices
        theirs = getattr(torch.tensor(TIES), op)(dim, keepdim).indices
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    x = mg.tensor(TIES, requires_grad=True)
    x.max(dim=1).values.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]


@given(case=array_and_dims(min_dims=1), keepdim=st.booleans())
def test_argmax_argmin_match_numpy(case, keepdim):
    x, dim = case
    if isinstance(dim, tuple):
        dim = dim[0]
    t = mg.tensor(x)
    for name in ("argmax", "argmin"):
        got = getattr(t, name)(dim=dim, keepdim=keepdim)
        expected = getattr(np, name)(x, axis=dim, keepdims=keepdim)
        assert got.dtype == mg.int64 and not got.requires_grad
        np.testing.assert_array_equal(got.data, expected)


def test_bad_dim_is_a_clear_error():
    with pytest.raises(IndexError, match="dim 3 is out of range for a tensor with 2 dimensions"):
        mg.ones(2, 3).sum(dim=3)
