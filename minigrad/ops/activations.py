"""Activation functions (SPEC F10), each in a numerically stable form.

The textbook forms overflow: ``1/(1+e^-x)`` computes e^1000 at x = -1000, and
``(e^{2x}-1)/(e^{2x}+1)`` computes inf/inf = nan at x = 1000.  The forms below only ever
exponentiate non-positive numbers, so no input produces an overflow warning or a nan.
"""
from __future__ import annotations

import math

from ..autograd import Function
from ..backend import array_module_of, erf


class ReLU(Function):
    """z = max(x, 0).   dL/dx = g * [x > 0]  (0 at x = 0, as PyTorch)."""

    def forward(ctx, x):
        z = array_module_of(x).maximum(x, 0)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved
        return g * (z > 0)


class LeakyReLU(Function):
    """z = x if x > 0 else a·x.   dL/dx = g if x > 0 else a·g."""

    def forward(ctx, x, negative_slope=0.01):
        positive = x > 0
        ctx.save_for_backward(positive)
        ctx.slope = negative_slope
        return array_module_of(x).where(positive, x, x * negative_slope)

    def backward(ctx, g):
        (positive,) = ctx.saved
        return array_module_of(g).where(positive, g, g * ctx.slope)


def stable_sigmoid(x):
    """σ(x) = 1/(1+e^-x), evaluated as 1/(1+e^-|x|) for x >= 0 and e^-|x|/(1+e^-|x|) for x < 0
    (the same function: multiply numerator and denominator by eˣ), so exp never overflows."""
    xp = array_module_of(x)
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1, e) / (1 + e)


class Sigmoid(Function):
    """z = σ(x) = 1 / (1 + e^-x).   dL/dx = g * z * (1 - z)."""

    def forward(ctx, x):
        z = stable_sigmoid(x)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved
        return g * z * (1 - z)


class Tanh(Function):
    """z = tanh x = (e^{2x} - 1)/(e^{2x} + 1).   dL/dx = g * (1 - z²).

    Forward uses the library tanh, which is stable; the printed quotient is nan for x >= 355.
    """

    def forward(ctx, x):
        z = array_module_of(x).tanh(x)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved
        return g * (1 - z * z)


class Softplus(Function):
    """z = ln(1 + eˣ) = max(x, 0) + ln(1 + e^-|x|).   dL/dx = g * σ(x)."""

    def forward(ctx, x):
        xp = array_module_of(x)
        ctx.save_for_backward(x)
        return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))

    def backward(ctx, g):
        (x,) = ctx.saved
        return g * stable_sigmoid(x)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def gelu_gate(x, approximate: str):
    """The factor s in GELU: Φ(x) = ½(1 + erf(x/√2)), or t = tanh(√(2/π)(x + 0.044715x³))."""
    if approximate == "tanh":
        return array_module_of(x).tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))
    return 0.5 * (1 + erf(x / math.sqrt(2)))


class GELU(Function):
    """z = x Φ(x), Φ the standard normal CDF = ½(1 + erf(x/√2)).
    dL/dx = g * (Φ(x) + x φ(x)),  φ(x) = e^{-x²/2}/√(2π).

    ``approximate='tanh'``: z = ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³);
    dL/dx = g * (½(1 + t) + ½x(1 - t²) √(2/π)(1 + 3·0.044715x²)),  t = tanh u.
    """

    def forward(ctx, x, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        ctx.approximate = approximate
        s = gelu_gate(x, approximate)
        ctx.save_for_backward(x)
        ctx.cache_for_backward(s)
        return 0.5 * x * (1 + s) if approximate == "tanh" else x * s

    def backward(ctx, g):
        (x,), (s,) = ctx.saved, ctx.cached
        xp = array_module_of(g)
        if s is None:  # building a graph: the gate again, differentiably
            s = gelu_gate(x, ctx.approximate)
        if ctx.approximate == "tanh":
            du = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return g * (0.5 * (1 + s) + 0.5 * x * (1 - s * s) * du)
        pdf = xp.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return g * (s + x * pdf)


def exp_and_logsumexp(x, dim):
    """(e^{x - m}, Σ e^{x - m}, ln Σ e^x) along ``dim`` (keepdims), m = max x: one shared
    exponential whose exponents are all <= 0, so it never overflows, and a sum >= 1, so its
    log is never -inf."""
    xp = array_module_of(x)
    shift = xp.max(x, axis=dim, keepdims=True)
    e = xp.exp(x - shift)
    total = e.sum(axis=dim, keepdims=True)
    return e, total, shift + xp.log(total)


class Softmax(Function):
    """z_i = e^{x_i} / Σ_j e^{x_j} along ``dim``.   dL/dx = z ⊙ (g - Σ_j g_j z_j)."""

    def forward(ctx, x, dim):
        e, total, _ = exp_and_logsumexp(x, dim)
        z = e / total
        ctx.save_for_backward(z)
        ctx.dim = dim
        return z

    def backward(ctx, g):
        (z,) = ctx.saved
        return z * (g - (g * z).sum(axis=ctx.dim, keepdims=True))


class LogSoftmax(Function):
    """z_i = x_i - ln Σ_j e^{x_j} along ``dim``.   dL/dx = g - softmax(x) Σ_j g_j."""

    def forward(ctx, x, dim):
        z = x - exp_and_logsumexp(x, dim)[2]
        ctx.save_for_backward(z)
        ctx.dim = dim
        return z

    def backward(ctx, g):
        (z,) = ctx.saved
        return g - array_module_of(g).exp(z) * g.sum(axis=ctx.dim, keepdims=True)
