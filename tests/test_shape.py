"""Shape ops: reshape/view, permute/transpose, squeeze/unsqueeze/flatten, expand, indexing
(PyTorch's order for mixed integer and array indices), gather, cat, stack, split, chunk, pad;
the copies: clone, flip, repeat, masked_fill."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import minigrad.functional as F
from reference import assert_gradcheck, assert_matches_torch, torch_or_skip
from strategies import arrays, shapes


def check(ours, theirs, *arrays_):
    assert_matches_torch(ours, theirs, *arrays_)
    assert_gradcheck(ours, *arrays_)


X = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7 - 1


@pytest.mark.parametrize("fn", [
    lambda t: t.reshape(4, 6), lambda t: t.reshape((-1, 2)), lambda t: t.view(24),
    lambda t: t.transpose(0, 2), lambda t: t.permute(2, 0, 1), lambda t: t.permute((1, 2, 0)),
    lambda t: t.flatten(), lambda t: t.flatten(1), lambda t: t.flatten(0, 1),
    lambda t: t.unsqueeze(0), lambda t: t.unsqueeze(-1), lambda t: t.unsqueeze(1).squeeze(),
    lambda t: t[:, :1].squeeze(1), lambda t: t.mT, lambda t: t.T,
    lambda t: t[:, None, :, :, None].expand(2, 5, 3, 4, 2), lambda t: t[:1].expand(3, -1, -1),
])
def test_view_like_ops(fn):
    check(fn, fn, X)


@given(x=arrays(shapes(min_dims=1)), data=st.data())
def test_permute_random(x, data):
    dims = data.draw(st.permutations(range(x.ndim)))
    check(lambda t: t.permute(*dims), lambda t: t.permute(*dims), x)


INDICES = [
    1, -1, (0, 2), (slice(None), 1), (slice(None, None, -1),), (slice(None), slice(3, 0, -2)),
    (Ellipsis, 0), (None, 0, Ellipsis), (slice(1, None), None, slice(None), 2),
    np.array([1, 1, 0]),                       # repeated rows: gradient adds up
    (slice(None), np.array([0, 2, 2, 2])),
    (np.array([0, 1, 1]), np.array([2, 0, 0])),
    X > 0,                                     # boolean mask
    (X[:, :, 0] > -0.5),
]


def _negative_step(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, slice) and (i.step or 1) < 0 for i in items)


@pytest.mark.parametrize("index", INDICES, ids=range(len(INDICES)))
def test_getitem(index):
    if _negative_step(index):  # PyTorch has no negative steps: NumPy is the reference
        np.testing.assert_array_equal(mg.tensor(X)[index].array, X[index])
        assert_gradcheck(lambda t: t[index], X)
        return
    torch = torch_or_skip()
    torch_index = tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i
                        for i in (index if isinstance(index, tuple) else (index,)))
    check(lambda t: t[index], lambda t: t[torch_index], X)


def test_getitem_repeated_integer_index_accumulates():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[mg.tensor([0, 0, 2, 0])].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_getitem_with_list_and_tensor_indices():
    x = mg.tensor(X)
    np.testing.assert_array_equal(x[[0, 1]].array, X[[0, 1]])
    np.testing.assert_array_equal(x[mg.tensor([1])].array, X[[1]])


@given(x=arrays((3, 4)), data=st.data())
def test_gather(x, data):
    torch = torch_or_skip()
    dim = data.draw(st.sampled_from([0, 1, -1]))
    index = data.draw(st.lists(st.integers(0, x.shape[dim] - 1), min_size=6, max_size=6))
    index = np.array(index).reshape(2, 3) if dim == 0 else np.array(index).reshape(3, 2)
    check(lambda t: t.gather(dim, mg.tensor(index)),
          lambda t: t.gather(dim, torch.tensor(index)), x)


@given(data=st.data())
def test_cat_and_stack(data):
    torch = torch_or_skip()
    shape = data.draw(shapes(min_dims=1))
    dim = data.draw(st.integers(0, len(shape) - 1))
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    parts = [data.draw(arrays(shape[:dim] + (n,) + shape[dim + 1:])) for n in sizes]
    check(lambda *ts: mg.cat(ts, dim), lambda *ts: torch.cat(ts, dim), *parts)
    same = [data.draw(arrays(shape)) for _ in sizes]
    new_dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    check(lambda *ts: mg.stack(ts, new_dim), lambda *ts: torch.stack(ts, new_dim), *same)


@pytest.mark.parametrize("how", [2, 3, [1, 2, 1], [4]])
def test_split(how):
    torch = torch_or_skip()
    x = X.reshape(4, 6)
    check(lambda t: mg.cat([p * (i + 1) for i, p in enumerate(t.split(how))]),
          lambda t: torch.cat([p * (i + 1) for i, p in enumerate(t.split(how))]), x)


@pytest.mark.parametrize("chunks", [1, 2, 3, 5])
def test_chunk(chunks):
    torch = torch_or_skip()
    x = X.reshape(6, 4)
    assert [p.shape for p in mg.tensor(x).chunk(chunks)] == \
        [tuple(p.shape) for p in torch.tensor(x).chunk(chunks)]
    check(lambda t: mg.cat([p * (i + 1) for i, p in enumerate(t.chunk(chunks, 1))], 1),
          lambda t: torch.cat([p * (i + 1) for i, p in enumerate(t.chunk(chunks, 1))], 1), x)


@pytest.mark.parametrize("pad", [(1, 2), (0, 1, 2, 0), (1, 1, 1, 1, 1, 1)])
def test_pad(pad):
    torch = torch_or_skip()
    check(lambda t: F.pad(t, pad, value=0.5), lambda t: torch.nn.functional.pad(t, pad, value=0.5), X)


def test_shape_errors_name_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"reshape: a tensor of shape \(2, 3\) \(6 elements\) "
                                         r"cannot be viewed as shape \(4, 2\)"):
        mg.ones(2, 3).reshape(4, 2)
    with pytest.raises(ValueError, match=r"cat: shapes \(2, 3\), \(2, 4\) must match except in"):
        mg.cat([mg.ones(2, 3), mg.ones(2, 4)], 0)
    with pytest.raises(ValueError, match=r"stack: all tensors must have the same shape"):
        mg.stack([mg.ones(2), mg.ones(3)])
    with pytest.raises(ValueError, match=r"expand: a tensor of shape \(2,\) cannot be expanded"):
        mg.ones(2).expand(3)
    with pytest.raises(ValueError, match=r"split: sizes \[1, 1\] sum to 2"):
        mg.ones(3).split([1, 1])


# ----------------------------------------------------------------------------- copies
@given(x=arrays(shapes(min_dims=1)), data=st.data())
def test_flip(x, data):
    dims = tuple(data.draw(st.sets(st.integers(0, x.ndim - 1), min_size=1)))
    assert_matches_torch(lambda t: t.flip(dims), lambda t: t.flip(dims), x)
    assert_gradcheck(lambda t: mg.flip(t, dims), x)


@given(x=arrays(shapes(max_dims=2)), data=st.data())
def test_repeat(x, data):
    sizes = tuple(data.draw(st.lists(st.integers(0, 3), min_size=x.ndim,
                                     max_size=x.ndim + 2)))
    assume(sizes)
    assert_matches_torch(lambda t: t.repeat(*sizes), lambda t: t.repeat(*sizes), x)
    assert_gradcheck(lambda t: t.repeat(sizes), x)


def test_repeat_needs_a_size_per_dim():
    with pytest.raises(RuntimeError, match=r"repeat: needs at least as many"):
        mg.ones(2, 3).repeat(2)


def test_clone_copies_and_passes_the_gradient():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y.array is not x.array and not np.shares_memory(y.array, x.array)
    (y * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 3.0])
    transposed = mg.ones(3, 4).T
    assert not transposed.array.flags.c_contiguous
    assert transposed.contiguous().array.flags.c_contiguous
    ready = mg.ones(3)
    assert ready.contiguous() is ready


@given(x=arrays(shapes(min_dims=1)), data=st.data())
def test_masked_fill(x, data):
    torch = torch_or_skip()
    mask_shape = x.shape[data.draw(st.integers(0, x.ndim)):]
    mask = data.draw(hnp.arrays(np.bool_, mask_shape))
    assert_matches_torch(lambda t: t.masked_fill(mg.tensor(mask), -1.5),
                         lambda t: t.masked_fill(torch.tensor(mask), -1.5), x)


def test_masked_fill_errors():
    with pytest.raises(TypeError, match="masked_fill: mask must be a bool tensor"):
        mg.ones(3).masked_fill(mg.tensor([1, 0, 1]), 0.0)
    with pytest.raises(RuntimeError, match=r"masked_fill: mask of shape \(2, 3\)"):
        mg.ones(3).masked_fill(mg.ones(2, 3) > 0, 0.0)


def test_type_names_and_conversions():
    x = mg.ones(2)
    assert x.type() == "minigrad.FloatTensor"
    assert x.type(mg.float64).type() == "minigrad.DoubleTensor"
    assert x.type("minigrad.LongTensor").dtype == np.int64
    assert mg.ones(2, 3).view_as(mg.ones(3, 2)).shape == (3, 2)


# ----------------------------------------------------------------------------- PyTorch's indexing
@pytest.mark.parametrize("index", [
    (0, slice(None), [0, 1]), (slice(None), 1, slice(None), [0, 2]), ([0, 1], 0, [0, 1]),
    (0, Ellipsis, [1, 2]), (None, 0, slice(None), [1, 2]), (1, slice(None), [[0, 1], [2, 3]]),
    (0, slice(None), [True, False, True, False, True, False])],
    ids=lambda i: str(i).replace(" ", ""))
def test_integers_mixed_with_index_arrays_follow_pytorch(index):
    """NumPy moves the indexed dim to the front when an integer and an index array are
    separated by a slice; PyTorch applies the integers first and keeps it in place."""
    torch = torch_or_skip()
    x = np.random.default_rng(0).standard_normal((2, 5, 6, 5, 3))
    theirs = tuple(torch.tensor(i) if isinstance(i, list) else i for i in index)
    ours = tuple(mg.tensor(i) if isinstance(i, list) else i for i in index)
    assert_matches_torch(lambda t: t[ours], lambda t: t[theirs], x)


def test_gather_follows_pytorchs_contract():
    x = mg.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match=r"gather: index must be an integer tensor with as "
                                           r"many dims as the input; got index of shape \(2,\)"):
        x.gather(2, mg.tensor([0, 1]))
    with pytest.raises(IndexError, match=r"gather: index values must be in \[0, 4\) along dim "
                                         r"2; got values in \[-1, 0\]"):
        x.gather(2, mg.tensor(np.array([[[-1], [0], [0]]] * 2)))
    with pytest.raises(RuntimeError, match="larger than the input"):
        x.gather(0, mg.tensor(np.zeros((2, 4, 4), np.int64)))


@pytest.mark.parametrize("pad", [(-1, 2), (1, -2, -1, 0), (0, 0, -1, -1, 2, 0), (-2, -3)])
def test_negative_padding_crops(pad):
    x = np.random.default_rng(1).standard_normal((3, 4, 5))
    torch = torch_or_skip()
    check(lambda t: F.pad(t, pad, value=0.5), lambda t: torch.nn.functional.pad(t, pad, value=0.5),
          x)


def test_cropping_more_than_there_is_is_an_error():
    with pytest.raises(RuntimeError, match=r"pad: \(-3, -3\) crops more than the shape \(5,\)"):
        F.pad(mg.ones(5), (-3, -3))


@given(st.integers(1, 40), st.integers(1, 9), st.sampled_from([np.float32, np.float64]),
       st.integers(0, 2**32 - 1))
def test_row_scatter_add_equals_numpy_add_at(count, rows, dtype, seed):
    """The backward of picking rows (an embedding's): whole rows added where indices repeat
    (negative ones too), by one sparse product — the same sums as NumPy's add.at."""
    from minigrad.backend import scatter_add
    rng = np.random.default_rng(seed)
    index = rng.integers(-rows, rows, count)
    values = rng.standard_normal((count, 2, 3)).astype(dtype)
    got, want = np.ones((rows, 2, 3), dtype), np.ones((rows, 2, 3), dtype)
    scatter_add(got, index, values)
    np.add.at(want, index, values)
    np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == np.float32 else 1e-13,
                               atol=1e-6 if dtype == np.float32 else 1e-13)
