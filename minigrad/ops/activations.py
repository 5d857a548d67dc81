"""Activation functions (SPEC F10), each in a numerically stable form.

The textbook forms overflow: ``1/(1+e^-x)`` computes e^1000 at x = -1000, and
``(e^{2x}-1)/(e^{2x}+1)`` computes inf/inf = nan at x = 1000.  The forms below only ever
exponentiate non-positive numbers, so no input produces an overflow warning or a nan.
"""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module_of
from ..kernels import pointwise


class ReLU(Function):
    """z = max(x, 0).   dL/dx = g * [x > 0]  (0 at x = 0, as PyTorch): formula ``relu_back``."""

    def forward(ctx, x):
        z = array_module_of(x).maximum(x, 0)  # one pass already: no kernel could do better
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved
        return pointwise("relu_back", g, z)


class LeakyReLU(Function):
    """z = x if x > 0 else a·x.   dL/dx = g if x > 0 else a·g  (formulas ``leaky_relu``,
    ``leaky_relu_back``)."""

    def forward(ctx, x, negative_slope=0.01):
        ctx.save_for_backward(x)
        ctx.slope = negative_slope
        return pointwise("leaky_relu", x, slope=negative_slope)

    def backward(ctx, g):
        (x,) = ctx.saved
        return pointwise("leaky_relu_back", g, x, slope=ctx.slope)


def stable_sigmoid(x):
    """σ(x) = 1/(1+e^-x), evaluated as 1/(1+e^-|x|) for x >= 0 and e^-|x|/(1+e^-|x|) for x < 0
    (the same function: multiply numerator and denominator by eˣ), so exp never overflows
    (formula ``sigmoid``)."""
    return pointwise("sigmoid", x)


class Sigmoid(Function):
    """z = σ(x) = 1 / (1 + e^-x).   dL/dx = g * z * (1 - z)  (formulas ``sigmoid``,
    ``sigmoid_back``)."""

    promotion = "float"

    def forward(ctx, x):
        z = stable_sigmoid(x)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved
        return pointwise("sigmoid_back", g, z)


class Tanh(Function):
    """z = tanh x = (e^{2x} - 1)/(e^{2x} + 1).   dL/dx = g * (1 - z²)  (formula ``tanh_back``).

    Forward uses the library tanh, which is stable; the printed quotient is nan for x >= 355.
    """

    promotion = "float"

    def forward(ctx, x):
        z = array_module_of(x).tanh(x)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved
        return pointwise("tanh_back", g, z)


class Softplus(Function):
    """z = (1/β) ln(1 + e^{βx}), and x where βx > threshold.   dL/dx = g σ(βx), and g in
    the linear region (formulas ``softplus``, ``softplus_back``; β = 1 gives ln(1 + eˣ))."""

    promotion = "float"

    def forward(ctx, x, beta=1.0, threshold=20.0):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        return pointwise("softplus", x, beta=beta, threshold=threshold)

    def backward(ctx, g):
        (x,) = ctx.saved
        return pointwise("softplus_back", g, x, beta=ctx.beta, threshold=ctx.threshold)


class ELU(Function):
    """z = x if x > 0 else α(eˣ − 1).   dL/dx = g if x > 0 else g α eˣ (formulas ``elu``,
    ``elu_back``)."""

    promotion = "float"

    def forward(ctx, x, alpha=1.0):
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return pointwise("elu", x, alpha=alpha)

    def backward(ctx, g):
        (x,) = ctx.saved
        return pointwise("elu_back", g, x, alpha=ctx.alpha)


class SiLU(Function):
    """z = x σ(x).   dL/dx = g σ(x)(1 + x(1 − σ(x)))  (formulas ``silu``, ``silu_back``)."""

    promotion = "float"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return pointwise("silu", x)

    def backward(ctx, g):
        (x,) = ctx.saved
        return pointwise("silu_back", g, x)


class GELU(Function):
    """z = x Φ(x), Φ the standard normal CDF = ½(1 + erf(x/√2)).
    dL/dx = g * (Φ(x) + x φ(x)),  φ(x) = e^{-x²/2}/√(2π)   (formulas ``gelu``, ``gelu_back``).

    ``approximate='tanh'``: z = ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³);
    dL/dx = g * (½(1 + t) + ½x(1 - t²) √(2/π)(1 + 3·0.044715x²)),  t = tanh u
    (``gelu_tanh``, ``gelu_tanh_back``).
    """

    promotion = "float"

    def forward(ctx, x, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        ctx.formula = "gelu" if approximate == "none" else "gelu_tanh"
        ctx.save_for_backward(x)
        return pointwise(ctx.formula, x)

    def backward(ctx, g):
        (x,) = ctx.saved
        return pointwise(ctx.formula + "_back", g, x)


APPLY = {"relu": lambda a: array_module_of(a).maximum(a, 0), "sigmoid": stable_sigmoid,
         "tanh": lambda a: array_module_of(a).tanh(a)}
"""The output-based activations on raw arrays (their backward needs only the output), as the
separate ops compute them: what a fused Linear + activation falls back to."""


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

    promotion = "float"

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

    promotion = "float"

    def forward(ctx, x, dim):
        z = x - exp_and_logsumexp(x, dim)[2]
        ctx.save_for_backward(z)
        ctx.dim = dim
        return z

    def backward(ctx, g):
        (z,) = ctx.saved
        return g - array_module_of(g).exp(z) * g.sum(axis=ctx.dim, keepdims=True)
