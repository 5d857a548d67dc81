"""Ops that move elements around without changing them: reshape, permute, expand, indexing,
gather, cat, stack, pad, device transfer.

Their backward passes route each gradient element back to where its value came from: the
inverse reshape or permutation, a sum over broadcast copies, or a scatter-add into zeros.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..backend import array_module_of, device_of, ensure, scattered, to_device
from ..errors import ShapeError
from .reduce import normalize_dims

# ----------------------------------------------------------------------------- shape helpers


def size_args(args: tuple) -> tuple:
    """``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` all mean the shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def flattened_shape(shape: tuple, start_dim: int, end_dim: int) -> tuple:
    """The shape after merging dims start_dim..end_dim into one."""
    if not shape:
        return (1,)
    start, end = (normalize_dims(d, len(shape))[0] for d in (start_dim, end_dim))
    return shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:]


def squeezed_shape(shape: tuple, dim) -> tuple:
    """The shape without size-1 dims (all of them, or those in ``dim`` that have size 1)."""
    axes = normalize_dims(dim, len(shape))
    return tuple(n for i, n in enumerate(shape) if not (i in axes and n == 1))


def unsqueezed_shape(shape: tuple, dim: int) -> tuple:
    """The shape with a new size-1 dim at position ``dim`` (negative counts from the end)."""
    (axis,) = normalize_dims(dim, len(shape) + 1)
    return shape[:axis] + (1,) + shape[axis:]


def raw_index(index):
    """An index with Tensors replaced by their arrays and lists by integer/bool arrays."""
    from ..tensor import Tensor

    def convert(item):
        if isinstance(item, Tensor):
            return item.array
        if isinstance(item, list):
            return np.asarray(item)
        return item
    return tuple(convert(i) for i in index) if isinstance(index, tuple) else convert(index)


def _is_int(item) -> bool:
    return isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_))


def integers_first(index) -> tuple:
    """PyTorch's order for an index that mixes integers with index arrays, as two steps.

    NumPy counts an integer as one more index array, so in ``x[0, :, [0, 1]]`` the two are
    "separated by a slice" and the indexed dim moves to the front: shape (2, 5, ...).  PyTorch
    first selects with the integers (each removes its dim) and then indexes with the rest, so
    the array's dim stays where it was: (5, 2, ...).  Returns ``(first, rest)`` (apply
    ``first``, then ``rest``) when the two rules can differ, else ``(None, index)``."""
    items = index if isinstance(index, tuple) else (index,)
    arrays = [hasattr(i, "ndim") and i.ndim > 0 for i in items]
    if not (any(arrays) and any(_is_int(i) for i in items)):
        return None, index
    first, rest = [], []
    for item, is_array in zip(items, arrays):
        if _is_int(item):
            first.append(item)
        elif item is None:
            rest.append(item)
        else:
            rest.append(item)
            width = item.ndim if is_array and item.dtype == bool else 1
            first.extend([Ellipsis] if item is Ellipsis else [slice(None)] * width)
    return tuple(first), tuple(rest)


def _is_integer_array(item) -> bool:
    return hasattr(item, "dtype") and item.dtype.kind in "iu"


# ----------------------------------------------------------------------------- the ops


class Reshape(Function):
    """z = x with a new shape (same elements, same order).   dL/dx = g reshaped back."""

    returns_view = True  # its output shares the input's memory

    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ShapeError(f"reshape: a tensor of shape {tuple(x.shape)} ({x.size} elements) "
                             f"cannot be viewed as shape {tuple(shape)}") from None

    def backward(ctx, g):
        return g.reshape(ctx.input_shape)


class Permute(Function):
    """z = x with its axes reordered by ``dims``.   dL/dx = g with the inverse order."""

    returns_view = True  # its output shares the input's memory

    def forward(ctx, x, dims):
        if sorted(d % max(x.ndim, 1) for d in dims) != list(range(x.ndim)):
            raise ShapeError(f"permute: dims {tuple(dims)} are not a permutation of the "
                             f"{x.ndim} dims of a tensor of shape {tuple(x.shape)}")
        ctx.dims = dims
        return x.transpose(dims)

    def backward(ctx, g):
        inverse = sorted(range(len(ctx.dims)), key=lambda i: ctx.dims[i] % len(ctx.dims))
        return array_module_of(g).transpose(g, inverse)


class Expand(Function):
    """z = x broadcast to ``shape`` (-1 keeps a size) without copying.
    dL/dx = g summed over the copies (done by the engine's unbroadcast)."""

    returns_view = True  # its output shares the input's memory

    def forward(ctx, x, shape):
        lead = len(shape) - x.ndim
        full = tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        try:
            return array_module_of(x).broadcast_to(x, full)
        except ValueError:
            raise ShapeError(f"expand: a tensor of shape {tuple(x.shape)} cannot be expanded "
                             f"to {tuple(shape)}: only size-1 dims can grow") from None

    def backward(ctx, g):
        return g


class GetItem(Function):
    """z = x[index] (ints, slices, None, Ellipsis, boolean masks, integer arrays).
    dL/dx = zeros with g added at the indexed positions; an element picked k times by an
    integer array receives the sum of its k gradients (scatter-add).  (That backward is the
    op ``scattered``, whose own backward is this op again: indexing differentiates forever.)"""

    returns_view = True  # its output shares the input's memory

    def forward(ctx, x, index):
        ctx.save_for_backward(index)
        ctx.input_shape = x.shape
        items = index if isinstance(index, tuple) else (index,)
        ctx.unique = not any(_is_integer_array(i) for i in items)
        return x[index]

    def backward(ctx, g):
        (index,) = ctx.saved
        return scattered(g, index, ctx.input_shape, unique=ctx.unique)


class SetItem(Function):
    """z = x with z[index] = v (``x[index] = v`` recorded inside the graph).
    dL/dx = g with the written positions set to 0 (z no longer depends on x there);
    dL/dv = g[index] (the engine sums it back over the positions v was broadcast to)."""

    def forward(ctx, x, value, index):
        xp = array_module_of(x)
        ctx.index, ctx.kept = index, xp.ones(x.shape, dtype=bool)
        ctx.kept[index] = False
        out = x.copy()
        out[index] = value
        return out

    def backward(ctx, g):
        dx = g * ctx.kept if ctx.needs_input_grad[0] else None
        dv = g[ctx.index] if ctx.needs_input_grad[1] else None
        return dx, dv


class Scattered(Function):
    """z = zeros of ``shape`` with x added at ``index`` (summed where ``index`` repeats a
    position): the backward of GetItem as an op of its own.   dL/dx = g[index]."""

    def forward(ctx, x, index, shape, unique=False):
        ctx.save_for_backward(index)
        return scattered(x, index, shape, unique)

    def backward(ctx, g):
        (index,) = ctx.saved
        return g[index]


class Gather(Function):
    """z[..., i, ...] = x[..., index[..., i, ...], ...] along ``dim`` (``torch.gather``).
    dL/dx = zeros with g scatter-added to the gathered positions."""

    def forward(ctx, x, dim, index):
        xp = array_module_of(x)
        axis = normalize_dims(dim, x.ndim)[0]
        _check_gather_index(x, axis, index)
        grid = list(xp.ix_(*[xp.arange(n) for n in index.shape]))
        grid[axis] = index
        positions = tuple(grid)
        ctx.save_for_backward(positions)
        ctx.input_shape = x.shape
        return x[positions]

    def backward(ctx, g):
        (positions,) = ctx.saved
        return scattered(g, positions, ctx.input_shape)


def _check_gather_index(x, axis: int, index) -> None:
    """PyTorch's contract for ``gather``: an integer index of x's rank, no larger than x in
    the other dims, its values in [0, size) along ``dim`` (negative values are refused, not
    wrapped)."""
    if not _is_integer_array(index) or index.ndim != x.ndim:
        raise ShapeError(f"gather: index must be an integer tensor with as many dims as the "
                         f"input; got index of shape {tuple(getattr(index, 'shape', ()))} "
                         f"({getattr(index, 'dtype', type(index).__name__)}) for an input of "
                         f"shape {tuple(x.shape)}")
    if any(i != axis and n > m for i, (n, m) in enumerate(zip(index.shape, x.shape))):
        raise ShapeError(f"gather: index of shape {tuple(index.shape)} is larger than the input "
                         f"of shape {tuple(x.shape)} outside dim {axis}")
    if index.size:
        size = x.shape[axis]
        ensure((index.min() >= 0) & (index.max() < size), IndexError,
               lambda: f"gather: index values must be in [0, {size}) along dim {axis}; got "
                       f"values in [{int(index.min())}, {int(index.max())}]")


class Cat(Function):
    """z = the inputs joined along ``dim``.   dL/dx_k = the slice of g where x_k landed."""

    def forward(ctx, *xs, dim=0):
        if not xs:
            raise ShapeError("cat: expected a non-empty sequence of tensors")
        axis = normalize_dims(dim, xs[0].ndim)[0]
        ctx.axis, ctx.sizes = axis, [x.shape[axis] for x in xs]
        try:
            return array_module_of(xs[0]).concatenate(xs, axis=axis)
        except ValueError:
            shapes = ", ".join(str(tuple(x.shape)) for x in xs)
            raise ShapeError(f"cat: shapes {shapes} must match except in dim {dim}") from None

    def backward(ctx, g):
        ends = [sum(ctx.sizes[:k + 1]) for k in range(len(ctx.sizes))]
        return tuple(array_module_of(g).split(g, ends[:-1], axis=ctx.axis))


class Stack(Function):
    """z = the inputs stacked along a new axis ``dim``.   dL/dx_k = g[..., k, ...]."""

    def forward(ctx, *xs, dim=0):
        if not xs:
            raise ShapeError("stack: expected a non-empty sequence of tensors")
        if len({x.shape for x in xs}) > 1:
            shapes = ", ".join(str(tuple(x.shape)) for x in xs)
            raise ShapeError(f"stack: all tensors must have the same shape; got {shapes}")
        ctx.axis = normalize_dims(dim, xs[0].ndim + 1)[0]
        return array_module_of(xs[0]).stack(xs, axis=ctx.axis)

    def backward(ctx, g):
        moved = array_module_of(g).moveaxis(g, ctx.axis, 0)
        return tuple(moved)


class Pad(Function):
    """z = x with ``value`` added around it; ``pad`` lists (before, after) pairs starting from
    the last dim, as ``torch.nn.functional.pad``.  A negative amount crops instead: that many
    elements are removed from that side.   dL/dx = the slice of g where x landed, with zeros
    where x was cropped away."""

    def forward(ctx, x, pad, value=0.0):
        if len(pad) % 2 or len(pad) // 2 > x.ndim:
            raise ShapeError(f"pad: {tuple(pad)} must be (before, after) pairs for at most the "
                             f"{x.ndim} dims of shape {tuple(x.shape)}")
        widths = [(0, 0)] * x.ndim
        for k in range(len(pad) // 2):
            widths[x.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
        if any(n + lo + hi < 0 for (lo, hi), n in zip(widths, x.shape)):
            raise ShapeError(f"pad: {tuple(pad)} crops more than the shape {tuple(x.shape)} has")
        crop = tuple(slice(-min(lo, 0), n + min(hi, 0)) for (lo, hi), n in zip(widths, x.shape))
        grow = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
        kept = x[crop]
        ctx.crop, ctx.input_shape = crop, x.shape
        ctx.window = tuple(slice(lo, lo + n) for (lo, _), n in zip(grow, kept.shape))
        return array_module_of(x).pad(kept, grow, constant_values=value)

    def backward(ctx, g):
        inner = g[ctx.window]
        if all(c == slice(0, n) for c, n in zip(ctx.crop, ctx.input_shape)):
            return inner
        return scattered(inner, ctx.crop, ctx.input_shape, unique=True)


class ToDevice(Function):
    """z = x copied to another device.   dL/dx = g copied back."""

    def forward(ctx, x, device):
        ctx.source = device_of(x)
        return to_device(x, device)

    def backward(ctx, g):
        return to_device(g, ctx.source)


# ----------------------------------------------------------------------------- compositions


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Pieces of ``tensor`` along ``dim``: equal pieces of an int size (the last may be
    shorter), or the listed sizes.  Each piece is a slice (see GetItem for its gradient)."""
    axis = normalize_dims(dim, tensor.ndim)[0]
    length = tensor.shape[axis]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise ShapeError(f"split: split_size must be positive, got {step}")
        sizes = [min(step, length - start) for start in range(0, length, step)]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != length:
            raise ShapeError(f"split: sizes {sizes} sum to {sum(sizes)}, but dim {dim} of "
                             f"shape {tuple(tensor.shape)} has length {length}")
    pieces, start = [], 0
    for size in sizes:
        index = (slice(None),) * axis + (slice(start, start + size),)
        pieces.append(tensor[index])
        start += size
    return tuple(pieces)


def chunk(tensor, chunks: int, dim: int = 0) -> tuple:
    """``chunks`` pieces of (almost) equal size along ``dim`` (PyTorch's rounding: ceil)."""
    length = tensor.shape[normalize_dims(dim, tensor.ndim)[0]]
    return split(tensor, max(1, -(-length // chunks)), dim)
