"""Ops that copy elements into a new arrangement: clone, flip, repeat.

Each backward sends every element of g back to the element it was copied from, summing where
one element was copied several times (``repeat``).
"""
from __future__ import annotations

import math

from ..autograd import Function
from ..backend import array_module_of
from ..errors import ShapeError
from .reduce import normalize_dims


class Clone(Function):
    """z = a copy of x (its own memory: an in-place change of one is not seen by the other).
    dL/dx = g."""

    def forward(ctx, x):
        return array_module_of(x).array(x, copy=True, order="C")

    def backward(ctx, g):
        return g


class Flip(Function):
    """z = x with the order of its elements reversed along ``dims``.   dL/dx = g flipped
    back along the same dims."""

    def forward(ctx, x, dims):
        ctx.axes = normalize_dims(dims, x.ndim)
        return array_module_of(x).flip(x, ctx.axes).copy()

    def backward(ctx, g):
        return array_module_of(g).flip(g, ctx.axes)


class Roll(Function):
    """z = x shifted circularly by ``shifts[i]`` places along ``dims[i]`` (no dims: the
    flattened tensor, reshaped back).   dL/dx = g rolled back by −shifts."""

    def forward(ctx, x, shifts, dims):
        shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
        dims = None if dims is None else ((dims,) if isinstance(dims, int) else tuple(dims))
        if dims is not None and len(dims) != len(shifts):
            raise ShapeError(f"roll: {len(shifts)} shifts for {len(dims)} dims; give one shift "
                             f"per dim")
        if dims is None and len(shifts) != 1:
            raise ShapeError(f"roll: without dims, give one shift, got {shifts}")
        ctx.shifts, ctx.axes = shifts, None if dims is None else tuple(
            normalize_dims(d, x.ndim)[0] for d in dims)
        return ctx.roll(x, shifts)

    def roll(ctx, a, shifts):
        xp = array_module_of(a)
        if ctx.axes is None:
            return xp.roll(a.reshape(-1), shifts[0]).reshape(a.shape)
        return xp.roll(a, shifts, ctx.axes)

    def backward(ctx, g):
        return ctx.roll(g, tuple(-s for s in ctx.shifts))


class Repeat(Function):
    """z = x tiled ``sizes[d]`` times along each dim d (PyTorch's ``repeat``, NumPy's
    ``tile``; more sizes than dims add leading dims).   dL/dx = g seen as
    (r₀, n₀, r₁, n₁, ...) and summed over the r's: every copy gives back its gradient."""

    def forward(ctx, x, sizes):
        if len(sizes) < x.ndim or any(r < 0 for r in sizes):
            raise ShapeError(f"repeat: needs at least as many non-negative sizes as the tensor "
                             f"has dims; got sizes {tuple(sizes)} for shape {tuple(x.shape)}")
        ctx.shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
        ctx.input_shape, ctx.sizes = x.shape, tuple(sizes)
        return array_module_of(x).tile(x.reshape(ctx.shape), sizes)

    def backward(ctx, g):
        pairs = [n for pair in zip(ctx.sizes, ctx.shape) for n in pair]  # (r0, n0, r1, n1...)
        if math.prod(pairs) == 0:
            return array_module_of(g).zeros(ctx.input_shape, dtype=g.dtype)
        summed = g.reshape(pairs).sum(axis=tuple(range(0, len(pairs), 2)))
        return summed.reshape(ctx.input_shape)
