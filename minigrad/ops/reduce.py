"""Reductions over one, several or all dimensions (``dim`` int/tuple/None, ``keepdim``).

Every reduction's backward first puts the reduced axes back as size-1 axes (``kept``), so the
upstream gradient broadcasts against the input again: each input element receives the gradient
of the output element it contributed to.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..autograd import Function
from ..backend import array_module_of, broadcast_copy, is_tensor
from ..errors import ShapeError


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
    """z = (1/N) Σ x over the axes.   dL/dx = g / N at every position.

    A mean over no elements (N = 0) is NaN, quietly, as in PyTorch; its gradient has no
    position to go to (an empty array), so it is computed as g / max(N, 1), never g / 0."""

    def forward(ctx, x, dim=None, keepdim=False):
        axes = ctx.setup(x, dim, keepdim)
        if ctx.count == 0:
            return x.sum(axis=axes, keepdims=keepdim) * float("nan")
        return x.mean(axis=axes, keepdims=keepdim)

    def backward(ctx, g):
        return ctx.spread(g / max(ctx.count, 1))


class Var(_Reduction):
    """z = Σ (x - x̄)² / (N - c) with c the correction (1: unbiased).
    dL/dx = g * 2 (x - x̄) / (N - c)."""

    def forward(ctx, x, dim=None, keepdim=False, correction=1):
        axes = ctx.setup(x, dim, keepdim)
        ctx.dof = max(ctx.count - correction, 0)
        if ctx.dof == 0:
            warnings.warn(f"{type(ctx).__name__.lower()}(): degrees of freedom N - correction = "
                          f"{ctx.count} - {correction} <= 0: the result is a division by zero "
                          f"(inf, or nan where all values are equal)", stacklevel=4)
        ctx.save_for_backward(x)
        squares = (ctx.deviation(x) ** 2).sum(axis=axes, keepdims=keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            return squares / ctx.dof

    def deviation(ctx, x):
        """x - x̄ over the reduced axes."""
        return x - x.mean(axis=ctx.axes, keepdims=True)

    def backward(ctx, g):
        (x,) = ctx.saved
        with np.errstate(divide="ignore", invalid="ignore"):
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


class Prod(_Reduction):
    """z = Π x over the axes.   dL/dx_i = g Π_{j≠i} x_j: the product of the others (never
    z / x_i, which is 0/0 where x_i = 0), from prefix and suffix products: Π_{j<i} · Π_{j>i}.

    While a graph is being built the same products are formed as a product over a (K, K)
    matrix that holds x with ones on the diagonal: a differentiable op (this one again), at
    K² memory, so the second derivative exists too."""

    def forward(ctx, x, dim=None, keepdim=False):
        axes = ctx.setup(x, dim, keepdim)
        ctx.save_for_backward(x)
        return x.prod(axis=axes, keepdims=keepdim)

    def backward(ctx, g):
        (x,) = ctx.saved
        xp, axes = array_module_of(g), ctx.axes
        order = [a for a in range(x.ndim) if a not in axes] + list(axes)
        rows = xp.transpose(x, order).reshape(*(x.shape[a] for a in order[:x.ndim - len(axes)]),
                                              -1)                 # (kept dims..., K)
        others = _products_of_the_others(xp, rows)
        others = others.reshape([x.shape[a] for a in order])
        return ctx.kept(g) * xp.transpose(others, sorted(range(x.ndim), key=order.__getitem__))


def _products_of_the_others(xp, rows):
    """Π_{j≠i} rows[..., j] for every i of the last axis."""
    if not is_tensor(rows):
        ones = xp.ones_like(rows[..., :1])
        before = xp.cumprod(xp.concatenate([ones, rows[..., :-1]], -1), -1)     # Π_{j<i}
        after = xp.cumprod(xp.concatenate([ones, rows[..., :0:-1]], -1), -1)[..., ::-1]
        return before * after                                                    # · Π_{j>i}
    k = rows.shape[-1]
    diagonal = np.eye(k, dtype=bool)
    return xp.prod(xp.where(diagonal, 1.0, rows[..., None, :]), axis=-1)


class LogSumExp(_Reduction):
    """z = ln Σ eˣ over the axes = m + ln Σ e^{x−m} (m the max: no overflow).
    dL/dx = g e^{x−z} = g softmax(x) over the axes, computed as e^{x−m} / Σ e^{x−m} (e^{x−z}
    would inherit z's rounding: in float32 a z near 1000 is off by 3e-5)."""

    promotion = "float"

    def forward(ctx, x, dim=None, keepdim=False):
        axes = ctx.setup(x, dim, keepdim)
        e, total = ctx.shifted_exp(x)
        ctx.save_for_backward(x)
        ctx.cache_for_backward(e / total)
        z = array_module_of(x).log(total) + ctx.top
        return z if keepdim else z.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    def shifted_exp(ctx, x):
        """(e^{x−m}, Σ e^{x−m}) over the axes, m = the max (0 where it is not finite)."""
        xp = array_module_of(x)
        top = xp.max(x, axis=ctx.axes, keepdims=True)
        ctx.top = xp.where(xp.isfinite(top), top, 0)  # all -inf (or an inf): no shift
        e = xp.exp(x - ctx.top)
        return e, e.sum(axis=ctx.axes, keepdims=True)

    def backward(ctx, g):
        (x,), (softmax,) = ctx.saved, ctx.cached
        if softmax is None:  # building a graph: the same softmax, differentiably
            e, total = ctx.shifted_exp(x)
            softmax = e / total
        return ctx.kept(g) * softmax


class SumToSize(Function):
    """z = x summed down to ``shape`` (the dims broadcasting would have added, and the size-1
    dims of ``shape``): the engine's ``unbroadcast`` as an op.   dL/dx = g broadcast back."""

    def forward(ctx, x, shape):
        lead = x.ndim - len(shape)
        if lead < 0 or any(n not in (1, m) for n, m in zip(shape, x.shape[lead:])):
            raise ShapeError(f"sum_to_size: size {tuple(shape)} is not expandable to the "
                             f"tensor's size {tuple(x.shape)}")
        ctx.input_shape = x.shape
        summed = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                            if n == 1 and x.shape[lead + i] != 1)
        return x.sum(axis=summed, keepdims=True).reshape(shape) if summed else x

    def backward(ctx, g):
        return broadcast_copy(g, ctx.input_shape)


class Cumsum(Function):
    """z_i = Σ_{j<=i} x_j along ``dim``.   dL/dx_j = Σ_{i>=j} g_i: the cumulative sum of g
    taken from the other end (flip, cumsum, flip)."""

    def forward(ctx, x, dim):
        (ctx.axis,) = normalize_dims(dim, x.ndim)
        return array_module_of(x).cumsum(x, axis=ctx.axis) if x.ndim else x.copy()

    def backward(ctx, g):
        xp = array_module_of(g)
        if not g.ndim:
            return g
        return xp.flip(xp.cumsum(xp.flip(g, ctx.axis), axis=ctx.axis), ctx.axis)


class AMax(_Reduction):
    """z = max x over the axes.   dL/dx = g / k at each of the k maximal elements, else 0
    (ties share the gradient equally, as PyTorch's ``max()`` and ``amax``).

    A NaN is the maximum of any slice it is in.  With ``nan_wins`` (``max()`` without a dim,
    as PyTorch) the NaNs are the winners and share g; without (``amax``, as PyTorch) no element
    equals NaN and the gradient is NaN.
    """

    pick = "max"

    def forward(ctx, x, dim=None, keepdim=False, nan_wins=False):
        axes = ctx.setup(x, dim, keepdim)
        z = getattr(x, ctx.pick)(axis=axes, keepdims=True)
        winners = x == z
        if nan_wins:
            winners |= (x != x) & (z != z)  # NaN is the only value not equal to itself
        ctx.save_for_backward(winners)
        return z if keepdim else z.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    def backward(ctx, g):
        (winners,) = ctx.saved
        with np.errstate(invalid="ignore"):  # no winner (amax over a NaN): 0/0, as PyTorch
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
