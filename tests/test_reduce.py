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
        np.testing.assert_array_equal(ours.array, theirs.numpy())
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
        np.testing.assert_array_equal(got.array, expected)


def test_bad_dim_is_a_clear_error():
    with pytest.raises(IndexError, match="dim 3 is out of range for a tensor with 2 dimensions"):
        mg.ones(2, 3).sum(dim=3)


# ----------------------------------------------------------------------------- prod, logsumexp
@given(case=array_and_dims(), keepdim=st.booleans())
def test_prod(case, keepdim):
    x, dim = case
    torch = torch_or_skip()
    ours = lambda t: t.prod(dim=dim, keepdim=keepdim)  # noqa: E731

    def theirs(t):  # torch.prod takes one int dim (or none): reduce the others one by one
        if dim is None:
            out = t.prod()
            return out.reshape((1,) * t.ndim) if keepdim else out
        for d in sorted(((dim,) if isinstance(dim, int) else dim), key=lambda d: -(d % t.ndim)):
            t = t.prod(dim=d, keepdim=keepdim)
        return t
    assert torch is not None
    assert_matches_torch(ours, theirs, x)
    assert_gradcheck(ours, x)


def test_prod_gradient_with_zeros_is_the_product_of_the_others():
    """dΠ/dx_i = Π_{j≠i} x_j, also where x_i = 0 (z/x_i would be 0/0) and with two zeros."""
    for values in ([2.0, 0.0, 3.0, 4.0], [0.0, 5.0, 0.0, 2.0], [0.0]):
        x = mg.tensor(values, dtype=mg.float64, requires_grad=True)
        x.prod().backward()
        expected = [np.prod(np.delete(values, i)) for i in range(len(values))]
        np.testing.assert_array_equal(x.grad.array, expected)


@given(case=array_and_dims(min_dims=1), keepdim=st.booleans())
def test_logsumexp(case, keepdim):
    x, dim = case
    dim = tuple(range(x.ndim)) if dim is None else dim
    ours = lambda t: t.logsumexp(dim, keepdim=keepdim)  # noqa: E731
    theirs = lambda t: t.logsumexp(dim, keepdim=keepdim)  # noqa: E731
    assert_matches_torch(ours, theirs, x)
    assert_gradcheck(ours, x)


def test_logsumexp_does_not_overflow():
    x = mg.tensor([1000.0, 1000.0, -np.inf], requires_grad=True)
    y = mg.logsumexp(x, 0)
    y.backward()
    np.testing.assert_allclose(y.item(), 1000 + np.log(2), rtol=1e-6)
    np.testing.assert_allclose(x.grad.array, [0.5, 0.5, 0.0])


# ----------------------------------------------------------------------------- cumsum, sum_to_size
@given(x=arrays(shapes(min_dims=1)), data=st.data())
def test_cumsum(x, data):
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    assert_matches_torch(lambda t: t.cumsum(dim), lambda t: t.cumsum(dim), x)
    assert_gradcheck(lambda t: mg.cumsum(t, dim), x)


def test_cumsum_of_integers_is_int64_as_pytorch():
    assert mg.tensor(np.array([1, 2, 3], np.int32)).cumsum(0).dtype == np.int64
    assert mg.tensor([True, False, True]).cumsum(0).tolist() == [1, 1, 2]


@given(shapes_=__import__("hypothesis.extra.numpy", fromlist=["x"]).mutually_broadcastable_shapes(
    num_shapes=1, max_dims=3, max_side=4), data=st.data())
def test_sum_to_size_is_the_sum_broadcasting_needs(shapes_, data):
    small = shapes_.input_shapes[0]
    big = shapes_.result_shape
    lead = data.draw(st.lists(st.integers(1, 3), max_size=2))
    x = data.draw(arrays(tuple(lead) + tuple(big)))
    assert_matches_torch(lambda t: t.sum_to_size(small), lambda t: t.sum_to_size(small), x)
    assert_gradcheck(lambda t: t.sum_to_size(*small), x)


def test_sum_to_size_refuses_a_size_it_cannot_come_from():
    with pytest.raises(RuntimeError, match=r"sum_to_size: size \(3,\) is not expandable"):
        mg.ones(2, 4).sum_to_size(3)


@pytest.mark.parametrize("name", ["var", "std"])
def test_correction_at_least_n_divides_by_zero_as_pytorch(name):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="degrees of freedom"):
        y = getattr(x, name)(correction=2)
    assert y.item() == np.inf
    with pytest.warns(UserWarning):
        assert np.isnan(getattr(mg.tensor([3.0, 3.0]), name)(correction=2).item())


def test_max_of_a_tensor_with_nan_sends_the_gradient_to_the_nan():
    """PyTorch's max(): the NaN is the maximum, and its gradient is 1 there (shared among
    several NaNs); amax keeps PyTorch's NaN gradient."""
    torch = torch_or_skip()
    values = [1.0, np.nan, 3.0, np.nan]
    for name in ("max", "min"):
        ours, theirs = mg.tensor(values, requires_grad=True), torch.tensor(values,
                                                                           requires_grad=True)
        getattr(ours, name)().backward()
        getattr(theirs, name)().backward()
        np.testing.assert_array_equal(ours.grad.array, theirs.grad.numpy())
    x = mg.tensor(values, requires_grad=True)
    x.amax().backward()
    assert np.isnan(x.grad.array).all()
