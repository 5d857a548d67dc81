"""Batch and layer normalization: x̂ = (x - μ)/√(σ² + ε), y = γ x̂ + β, with μ and σ² the
mean and (biased) variance over some axes — the batch for BatchNorm, the features for
LayerNorm.  Both share the backward of the normalization itself.

With N the number of elements averaged and s = 1/√(σ² + ε), differentiating through μ and σ²:

    dL/dx = s/N · (N ĝ - Σ ĝ - x̂ Σ(ĝ x̂)),    ĝ = dL/dx̂ = g γ
    dL/dγ = Σ g x̂,    dL/dβ = Σ g      (sums over the normalized axes)
"""
from __future__ import annotations

import math

from ..autograd import Function
from ..backend import array_module_of


def statistics(x, axes: tuple):
    """Mean and biased variance over ``axes``, kept as size-1 dims."""
    xp = array_module_of(x)
    return xp.mean(x, axis=axes, keepdims=True), xp.var(x, axis=axes, keepdims=True)


def normalize(x, mean, var, eps: float):
    """(x̂, s): x̂ = (x - μ) s with s = 1/√(σ² + ε)."""
    inv_std = 1 / array_module_of(x).sqrt(var + eps)
    return (x - mean) * inv_std, inv_std


def normalize_backward(g_hat, x_hat, inv_std, axes: tuple):
    """dL/dx from dL/dx̂ when x̂ used statistics over ``axes`` (the formula above)."""
    n = math.prod(x_hat.shape[a] for a in axes)
    sum_g = g_hat.sum(axis=axes, keepdims=True)
    sum_gx = (g_hat * x_hat).sum(axis=axes, keepdims=True)
    return inv_std / n * (n * g_hat - sum_g - x_hat * sum_gx)


def _affine_grads(ctx, g, x_hat, axes, shape):
    """dL/dγ = Σ g x̂ and dL/dβ = Σ g over ``axes``, in γ's ``shape``."""
    dweight = (g * x_hat).sum(axis=axes).reshape(shape) if ctx.needs_input_grad[1] else None
    dbias = g.sum(axis=axes).reshape(shape) if ctx.needs_input_grad[2] else None
    return dweight, dbias


class BatchNorm(Function):
    """y = γ x̂ + β with x̂ = (x - μ)/√(σ² + ε) per channel (axis 1), μ and σ² given with the
    channel axis kept.  ``training``: they are the batch's own statistics over the batch axes,
    so the gradient flows through them (the formula in the module docstring).  Otherwise they
    are the running statistics, constants, and dL/dx = g γ s."""

    def forward(ctx, x, weight, bias, mean, var, axes, eps, training):
        ctx.axes, ctx.eps, ctx.training = axes, eps, training
        x_hat, inv_std = ctx.normalized(x, mean, var)
        ctx.save_for_backward(x, weight, mean, var)
        ctx.cache_for_backward(x_hat, inv_std)
        y = x_hat if weight is None else x_hat * ctx.per_channel(weight)
        return y if bias is None else y + ctx.per_channel(bias)

    def per_channel(ctx, v):
        """A (C,) vector shaped to broadcast along axis 1 of the input."""
        shape = [1] * (len(ctx.axes) + 1)
        shape[1] = -1
        return v.reshape(shape)

    def normalized(ctx, x, mean, var):
        """(x̂, s) with the given statistics, or, when a graph is being built in training, with
        the batch's statistics recomputed from x (so that they are differentiated too)."""
        if ctx.training and mean is None:
            return normalize(x, *statistics(x, ctx.axes), ctx.eps)
        return normalize(x, ctx.per_channel(mean), ctx.per_channel(var), ctx.eps)

    def backward(ctx, g):
        (x, weight, mean, var), (x_hat, inv_std) = ctx.saved, ctx.cached
        if x_hat is None:  # building a graph: recompute, differentiably
            x_hat, inv_std = ctx.normalized(x, None if ctx.training else mean, var)
        dx = None
        if ctx.needs_input_grad[0]:
            g_hat = g if weight is None else g * ctx.per_channel(weight)
            dx = normalize_backward(g_hat, x_hat, inv_std, ctx.axes) if ctx.training \
                else g_hat * inv_std
        return (dx,) + _affine_grads(ctx, g, x_hat, ctx.axes, (-1,))


class LayerNorm(Function):
    """y = γ x̂ + β with x̂ normalized over the last ``len(γ.shape)`` axes of each sample."""

    def forward(ctx, x, weight, bias, normalized_ndim, eps):
        ctx.axes, ctx.eps = tuple(range(x.ndim - normalized_ndim, x.ndim)), eps
        x_hat, inv_std = normalize(x, *statistics(x, ctx.axes), eps)
        ctx.save_for_backward(x, weight)
        ctx.cache_for_backward(x_hat, inv_std)
        y = x_hat if weight is None else x_hat * weight
        return y if bias is None else y + bias

    def backward(ctx, g):
        (x, weight), (x_hat, inv_std) = ctx.saved, ctx.cached
        if x_hat is None:  # building a graph: recompute, differentiably
            x_hat, inv_std = normalize(x, *statistics(x, ctx.axes), ctx.eps)
        g_hat = g if weight is None else g * weight
        dx = normalize_backward(g_hat, x_hat, inv_std, ctx.axes) \
            if ctx.needs_input_grad[0] else None
        batch_axes = tuple(range(x_hat.ndim - len(ctx.axes)))
        return (dx,) + _affine_grads(ctx, g, x_hat, batch_axes, x_hat.shape[-len(ctx.axes):])
