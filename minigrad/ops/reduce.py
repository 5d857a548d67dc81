"""Reductions over one, several or all dimensions (``dim`` int/tuple/None, ``keepdim``).

Every reduction's backward first puts the reduced axes back as size-1 axes (``kept``), so the
upstream gradient broadcasts against the input again: each input element receives the gradient
of the output element it contributed to.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import array_module_of, broadcast_copy


def normalize_dims(dim, ndim: int) -> tuple:
    """``dim`` (None, an int or a sequence, negatives allowed) as a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    axes = []
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"dim {d} is out of range for a tensor with {ndim} dimensions")
        axes.append(d % max(ndim, 1))
    return tuple(sorted(set(axes))) if ndim else ()


def numpy_names(dim, keepdim, axis, keepdims) -> tuple:
    """``dim``/``keepdim`` from either PyTorch's names or NumPy's ``axis``/``keepdims`` (PyTorch
    accepts both; the backward formulas, written for NumPy and Tensors alike, use NumPy's)."""
    if axis is not None:
        if dim is not None:
            raise TypeError("give dim or axis, not both")
        dim = axis
    return dim, (keepdim if keepdims is None else keepdims)


def resolve_correction(unbiased, correction) -> int:
    """PyTorch's two spellings of Bessel's correction: ``unbiased=True`` is ``correction=1``."""
    if unbiased is not None and correction is not None:
        raise ValueError("var/std: give unbiased or correction, not both")
    if correction is not None:
        return correction
    return 0 if unbiased is False else 1


class _Reduction(Function):
    """Shared bookkeeping: which axes are reduced and how to broadcast a gradient back."""

    def setup(ctx, x, dim, keepdim) -> tuple:
        ctx.axes = normalize_dims(dim, x.ndim)
        ctx.keepdim = keepdim
        ctx.input_shape = x.shape
        ctx.count = 1
        for a in ctx.axes:
            ctx.count *= x.shape[a]
        return ctx.axes

    def kept(ctx, g):
        """g reshaped so the reduced axes are present with size 1."""
        if ctx.keepdim:
            return g
        shape = [1 if i in ctx.axes else n for i, n in enumerate(ctx.input_shape)]
        return g.reshape(shape)

    def spread(ctx, g):
        """g copied to every input position."""
        return broadcast_copy(ctx.kept(g), ctx.input_shape)


class Sum(_Reduction):
    """z = Σ x over the axes.   dL/dx = g, copied to every summed position."""

    def forward(ctx, x, dim=None, keepdim=False):
        return x.sum(axis=ctx.setup(x, dim, keepdim), keepdims=keepdim)

    def backward(ctx, g):
        return ctx.spread(g)


class Mean(_Reduction):
    """z = (1/N) Σ x over the axes.   dL/dx = g / N at every position."""

    def forward(ctx, x, dim=None, keepdim=False):
        return x.mean(axis=ctx.setup(x, dim, keepdim), keepdims=keepdim)

    def backward(ctx, g):
        return ctx.spread(g / ctx.count)


class Var(_Reduction):
    """z = Σ (x - x̄)² / (N - c) with c the correction (1: unbiased).
    dL/dx = g * 2 (x - x̄) / (N - c)."""

    def forward(ctx, x, dim=None, keepdim=False, correction=1):
        axes = ctx.setup(x, dim, keepdim)
        ctx.dof = max(ctx.count - correction, 0)
        ctx.save_for_backward(x)
        squares = (ctx.deviation(x) ** 2).sum(axis=axes, keepdims=keepdim)
        return squares / ctx.dof if ctx.dof else squares * float("nan")

    def deviation(ctx, x):
        """x - x̄ over the reduced axes."""
        return x - x.mean(axis=ctx.axes, keepdims=True)

    def backward(ctx, g):
        (x,) = ctx.saved
        return ctx.kept(g) * 2 * ctx.deviation(x) / ctx.dof


class Std(Var):
    """z = √var.   dL/dx = g * (x - x̄) / ((N - c) z), and 0 where z = 0 (PyTorch's choice
    at the kink of √: all elements equal)."""

    def forward(ctx, x, dim=None, keepdim=False, correction=1):
        z = array_module_of(x).sqrt(Var.forward(ctx, x, dim, keepdim, correction))
        ctx.save_for_backward(x, z)
        return z

    def backward(ctx, g):
        x, z = ctx.saved
        std = ctx.kept(z)
        with np.errstate(divide="ignore", invalid="ignore"):
            grad = ctx.kept(g) * ctx.deviation(x) / (ctx.dof * std)
        return array_module_of(g).where(std == 0, 0, grad)


class AMax(_Reduction):
    """z = max x over the axes.   dL/dx = g / k at each of the k maximal elements, else 0
    (ties share the gradient equally, as PyTorch's ``max()`` and ``amax``)."""

    pick = "max"

    def forward(ctx, x, dim=None, keepdim=False):
        axes = ctx.setup(x, dim, keepdim)
        z = getattr(x, ctx.pick)(axis=axes, keepdims=True)
        ctx.save_for_backward(x == z)
        return z if keepdim else z.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    def backward(ctx, g):
        (winners,) = ctx.saved
        share = winners / winners.sum(axis=ctx.axes, keepdims=True)
        return ctx.kept(g) * share


class AMin(AMax):
    """z = min x over the axes; gradient as AMax's, to the minimal elements."""

    pick = "min"


def arg_reduce(x, name: str, dim, keepdim: bool):
    """Index of the largest/smallest element (``name`` = 'argmax'/'argmin'), as int64."""
    if dim is None:
        index = getattr(x, name)()
        shape = (1,) * x.ndim if keepdim else ()
        return array_module_of(x).asarray(index, dtype="int64").reshape(shape)
    return getattr(x, name)(axis=dim, keepdims=keepdim).astype("int64", copy=False)
