"""Sorting, selecting and the small tensor ops lecture code reaches for (nanoGPT's top-k
sampling, makemore's multinomial draws, minGPT's sort demo): values, indices and gradients as
PyTorch gives them, gradients checked by central differences in float64."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.errors import ShapeError
from minigrad.gradcheck import gradgradcheck

torch = pytest.importorskip("torch")


def _pair(array, requires_grad=True):
    return (mg.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def _weights(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


@given(rows=st.integers(1, 4), cols=st.integers(1, 6), dim=st.sampled_from([0, 1, -1]),
       descending=st.booleans(), seed=st.integers(0, 50))
def test_sort_values_indices_and_gradient(rows, cols, dim, descending, seed):
    array = np.round(np.random.default_rng(seed).normal(size=(rows, cols)), 1)  # with ties
    ours, theirs = _pair(array)
    (v, i), (tv, ti) = ours.sort(dim, descending), theirs.sort(dim=dim, descending=descending, stable=True)
    assert np.array_equal(i.numpy(), ti.numpy()) and np.allclose(v.numpy(), tv.detach().numpy())
    upstream = _weights(v.shape)
    (v * mg.tensor(upstream)).sum().backward()
    (tv * torch.tensor(upstream)).sum().backward()
    assert np.allclose(ours.grad.numpy(), theirs.grad.numpy())
    assert np.array_equal(ours.argsort(dim, descending).numpy(), i.numpy())


def test_sort_puts_nan_last_ascending_and_first_descending():
    array = np.array([2.0, np.nan, -1.0, 5.0])
    ours, theirs = _pair(array, requires_grad=False)
    for descending in (False, True):
        assert np.array_equal(ours.sort(descending=descending).indices.numpy(),
                              theirs.sort(descending=descending, stable=True).indices.numpy())


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dim", [0, 1])
def test_topk_matches_torch_and_sends_gradient_only_to_the_chosen(largest, dim):
    array = _weights((5, 6), seed=dim)
    ours, theirs = _pair(array)
    (v, i), (tv, ti) = ours.topk(3, dim, largest), theirs.topk(3, dim, largest)
    assert np.array_equal(i.numpy(), ti.numpy()) and np.allclose(v.numpy(), tv.detach().numpy())
    upstream = _weights(v.shape, seed=5)
    (v * mg.tensor(upstream)).sum().backward()
    (tv * torch.tensor(upstream)).sum().backward()
    assert np.allclose(ours.grad.numpy(), theirs.grad.numpy())
    assert (ours.grad.numpy() == 0).sum() == array.size - v.numel()
    assert mg.gradcheck(lambda x: x.topk(3, dim, largest).values,
                        mg.tensor(array, requires_grad=True))


def test_topk_refuses_k_beyond_the_dim():
    with pytest.raises(ShapeError, match="topk: k = 7 .* size 6"):
        mg.randn(2, 6).topk(7)


def test_unique_with_inverse_counts_and_dim():
    array = np.array([[1, 2], [3, 1], [1, 2]])
    ours, theirs = _pair(array, requires_grad=False)
    for kwargs in ({}, {"return_inverse": True}, {"return_counts": True},
                   {"return_inverse": True, "return_counts": True}, {"dim": 0},
                   {"dim": 0, "return_inverse": True, "return_counts": True}):
        got, want = ours.unique(**kwargs), torch.unique(theirs, **kwargs)
        got, want = (got, want) if isinstance(want, tuple) else ((got,), (want,))
        assert [g.numpy().tolist() for g in got] == [w.numpy().tolist() for w in want], kwargs


@pytest.mark.parametrize("shifts, dims", [(1, None), (-2, 0), ((1, 2), (0, 1)), (3, -1)])
def test_roll_and_its_gradient(shifts, dims):
    array = _weights((3, 4))
    ours, theirs = _pair(array)
    out, want = ours.roll(shifts, dims), theirs.roll(shifts, dims)
    assert np.array_equal(out.detach().numpy(), want.detach().numpy())
    assert mg.gradcheck(lambda x: x.roll(shifts, dims), mg.tensor(array, requires_grad=True))
    with pytest.raises(ShapeError, match="roll"):
        ours.roll((1, 2), 0)


@pytest.mark.parametrize("name", ["log2", "log10"])
def test_log2_and_log10_values_and_gradients(name):
    array = np.abs(_weights((4,))) + 0.1
    ours, theirs = _pair(array)
    getattr(ours, name)().sum().backward()
    getattr(theirs, name)().sum().backward()
    assert np.allclose(getattr(mg, name)(mg.tensor(array)).numpy(),
                       getattr(torch, name)(torch.tensor(array)).numpy())
    assert np.allclose(ours.grad.numpy(), theirs.grad.numpy())
    assert mg.gradcheck(lambda x: getattr(x, name)(), mg.tensor(array, requires_grad=True))


def test_floor_division_and_remainder_as_python_and_torch():
    a = np.array([7.0, -7.0, 7.5, -0.5])
    b = np.array([2.0, 2.0, -2.0, 3.0])
    (x, tx), (y, ty) = _pair(a), _pair(b)
    assert np.array_equal((x // y).detach().numpy(), (tx // ty).detach().numpy())
    assert np.array_equal((x % y).detach().numpy(), (tx % ty).detach().numpy())
    (x % y).sum().backward()
    (tx % ty).sum().backward()
    assert np.allclose(x.grad.numpy(), tx.grad.numpy()) and np.allclose(y.grad.numpy(),
                                                                        ty.grad.numpy())
    assert mg.gradcheck(lambda p, q: p % q, mg.tensor([0.7, 2.3], requires_grad=True),
                        mg.tensor([0.5, 1.1], requires_grad=True))
    ints, tints = _pair(np.array([7, -7, 9]), requires_grad=False)
    assert (ints // 2).tolist() == (tints // 2).tolist() and (ints % 4).tolist() == \
        (tints % 4).tolist() and (10 % ints).tolist() == (10 % tints).tolist()
    assert (17 // ints).tolist() == (17 // tints).tolist()


def test_all_any_isclose_allclose_linspace():
    array = np.array([[True, False, True], [True, True, True]])
    ours, theirs = _pair(array, requires_grad=False)
    for dim in (0, 1, -1):
        for keepdim in (False, True):
            assert ours.all(dim, keepdim).tolist() == theirs.all(dim, keepdim).tolist()
            assert mg.any(ours, dim, keepdim).tolist() == torch.any(theirs, dim,
                                                                    keepdim).tolist()
    assert bool(ours.any()) and not bool(mg.all(ours))
    a, b = np.array([1.0, 2.0, np.nan]), np.array([1.0 + 1e-9, 2.1, np.nan])
    assert mg.isclose(mg.tensor(a), mg.tensor(b), equal_nan=True).tolist() == \
        torch.isclose(torch.tensor(a), torch.tensor(b), equal_nan=True).tolist()
    assert mg.allclose(mg.tensor(a[:1]), mg.tensor(b[:1])) is True
    assert np.allclose(mg.linspace(-1, 2, 7).numpy(), torch.linspace(-1, 2, 7).numpy())
    assert mg.linspace(0, 1, 5).dtype == mg.float32 and mg.linspace(0, 1, 0).shape == (0,)


def test_zero_d_tensors_format_and_index_as_numbers():
    loss, step = mg.tensor(2.5), mg.tensor(3)
    assert f"{loss}" == f"{torch.tensor(2.5)}" == "2.5"
    assert f"{loss:.4f}" == "2.5000" and f"step {step}" == "step 3"
    assert [10, 20, 30, 40][step] == 40 and list(range(step)) == [0, 1, 2]
    assert [0, 1, 2, 3, 4][mg.tensor(1):step] == [1, 2]
    assert mg.randn(3, 4).nelement() == 12
    with pytest.raises(TypeError, match="integer tensors of a single element"):
        [1, 2][mg.tensor(1.0)]
    with pytest.raises(TypeError, match="integer tensors of a single element"):
        [1, 2][mg.tensor([0, 1])]


@pytest.mark.parametrize("fn", [lambda t: t.roll(1, 1), lambda t: t.roll(2), lambda t: t.log10(),
                                lambda t: t % 0.4, lambda t: t.topk(2).values,
                                lambda t: t.sort(0, descending=True).values],
                         ids=["roll", "roll-flat", "log10", "remainder", "topk", "sort"])
def test_their_backwards_differentiate_again(fn):
    x = mg.tensor([[0.3, 1.2, 2.0], [0.5, 0.7, 0.9]], dtype=mg.float64, requires_grad=True)
    assert gradgradcheck(fn, x)


def test_on_the_cuda_device(cuda):
    x = mg.tensor([[0.3, 1.2, 2.0], [0.9, 0.7, 0.5]], requires_grad=True, device=cuda)
    values, indices = x.topk(2)
    (values.sum() + x.sort(0).values[0].sum() + x.roll(1, 1).log2().sum()).backward()
    assert values.device == cuda and indices.tolist() == [[2, 1], [0, 1]]
    expected = np.array([[0, 1, 1], [1, 1, 0]]) + np.array([[1, 0, 0], [0, 1, 1]]) \
        + 1 / (x.detach().cpu().numpy() * np.log(2))
    assert np.allclose(x.grad.cpu().numpy(), expected, rtol=1e-5)
