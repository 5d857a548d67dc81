"""Ops that move elements around without changing them: reshape, permute, expand, indexing,
gather, cat, stack, pad, device transfer.

Their backward passes route each gradient element back to where its value came from: the
inverse reshape or permutation, a sum over broadcast copies, or a scatter-add into zeros.
"""
from __future__ import annotations

import math

from ..autograd import Function
from ..backend import array_module_of, device_of, scattered, to_device
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
    import numpy as np

    def convert(item):
        if isinstance(item, Tensor):
            return item.data
        if isinstance(item, list):
            return np.asarray(item)
        return item
    return tuple(convert(i) for i in index) if isinstance(index, tuple) else convert(index)


def _is_integer_array(item) -> bool:
    return hasattr(item, "dtype") and item.dtype.kind in "iu"


# ----------------------------------------------------------------------------- the ops


class Reshape(Function):
    """z = x with a new shape (same elements, same order).   dL/dx = g reshaped back."""

    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: a tensor of shape {tuple(x.shape)} ({x.size} elements) "
                             f"cannot be viewed as shape {tuple(shape)}") from None

    def backward(ctx, g):
        return g.reshape(ctx.input_shape)


class Permute(Function):
    """z = x with its axes reordered by ``dims``.   dL/dx = g with the inverse order."""

    def forward(ctx, x, dims):
        if sorted(d % max(x.ndim, 1) for d in dims) != list(range(x.ndim)):
            raise ValueError(f"permute: dims {tuple(dims)} are not a permutation of the "
                             f"{x.ndim} dims of a tensor of shape {tuple(x.shape)}")
        ctx.dims = dims
        return x.transpose(dims)

    def backward(ctx, g):
        inverse = sorted(range(len(ctx.dims)), key=lambda i: ctx.dims[i] % len(ctx.dims))
        return array_module_of(g).transpose(g, inverse)


class Expand(Function):
    """z = x broadcast to ``shape`` (-1 keeps a size) without copying.
    dL/dx = g summed over the copies (done by the engine's unbroadcast)."""

    def forward(ctx, x, shape):
        lead = len(shape) - x.ndim
        full = tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        try:
            return array_module_of(x).broadcast_to(x, full)
        except ValueError:
            raise ValueError(f"expand: a tensor of shape {tuple(x.shape)} cannot be expanded "
                             f"to {tuple(shape)}: only size-1 dims can grow") from None

    def backward(ctx, g):
        return g


class GetItem(Function):
    """z = x[index] (ints, slices, None, Ellipsis, boolean masks, integer arrays).
    dL/dx = zeros with g added at the indexed positions; an element picked k times by an
    integer array receives the sum of its k gradients (scatter-add).  (That backward is the
    op ``scattered``, whose own backward is this op again: indexing differentiates forever.)"""

    def forward(ctx, x, index):
        ctx.save_for_backward(index)
        ctx.input_shape = x.shape
        items = index if isinstance(index, tuple) else (index,)
        ctx.unique = not any(_is_integer_array(i) for i in items)
        return x[index]

    def backward(ctx, g):
        (index,) = ctx.saved
        return scattered(g, index, ctx.input_shape, unique=ctx.unique)


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
        grid = list(xp.ix_(*[xp.arange(n) for n in index.shape]))
        grid[axis] = index
        positions = tuple(grid)
        ctx.save_for_backward(positions)
        ctx.input_shape = x.shape
        return x[positions]

    def backward(ctx, g):
        (positions,) = ctx.saved
        return scattered(g, positions, ctx.input_shape)


class Cat(Function):
    """z = the inputs joined along ``dim``.   dL/dx_k = the slice of g where x_k landed."""

    def forward(ctx, *xs, dim=0):
        if not xs:
            raise ValueError("cat: expected a non-empty sequence of tensors")
        axis = normalize_dims(dim, xs[0].ndim)[0]
        ctx.axis, ctx.sizes = axis, [x.shape[axis] for x in xs]
        try:
            return array_module_of(xs[0]).concatenate(xs, axis=axis)
        except ValueError:
            shapes = ", ".join(str(tuple(x.shape)) for x in xs)
            raise ValueError(f"cat: shapes {shapes} must match except in dim {dim}") from None

    def backward(ctx, g):
        ends = [sum(ctx.sizes[:k + 1]) for k in range(len(ctx.sizes))]
        return tuple(array_module_of(g).split(g, ends[:-1], axis=ctx.axis))


class Stack(Function):
    """z = the inputs stacked along a new axis ``dim``.   dL/dx_k = g[..., k, ...]."""

    def forward(ctx, *xs, dim=0):
        if not xs:
            raise ValueError("stack: expected a non-empty sequence of tensors")
        if len({x.shape for x in xs}) > 1:
            shapes = ", ".join(str(tuple(x.shape)) for x in xs)
            raise ValueError(f"stack: all tensors must have the same shape; got {shapes}")
        ctx.axis = normalize_dims(dim, xs[0].ndim + 1)[0]
        return array_module_of(xs[0]).stack(xs, axis=ctx.axis)

    def backward(ctx, g):
        moved = array_module_of(g).moveaxis(g, ctx.axis, 0)
        return tuple(moved)


class Pad(Function):
    """z = x with ``value`` added around it; ``pad`` lists (before, after) pairs starting from
    the last dim, as ``torch.nn.functional.pad``.   dL/dx = the central slice of g."""

    def forward(ctx, x, pad, value=0.0):
        if len(pad) % 2 or len(pad) // 2 > x.ndim or min(pad, default=0) < 0:
            raise ValueError(f"pad: {tuple(pad)} must be non-negative (before, after) pairs for "
                             f"at most the {x.ndim} dims of shape {tuple(x.shape)}")
        widths = [(0, 0)] * x.ndim
        for k in range(len(pad) // 2):
            widths[x.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
        ctx.window = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))
        return array_module_of(x).pad(x, widths, constant_values=value)

    def backward(ctx, g):
        return g[ctx.window]


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
            raise ValueError(f"split: split_size must be positive, got {step}")
        sizes = [min(step, length - start) for start in range(0, length, step)]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != length:
            raise ValueError(f"split: sizes {sizes} sum to {sum(sizes)}, but dim {dim} of "
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
