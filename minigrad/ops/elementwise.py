"""Elementwise arithmetic and math.  g = dL/d(out) throughout.

Inputs may broadcast against each other; each backward returns the gradient in the broadcast
shape and the engine's ``unbroadcast`` sums it back to each input's shape.  Every backward is
written with operators and ``xp`` functions only, so the same lines differentiate again when
the engine builds a graph (``create_graph=True``).
"""
from __future__ import annotations

import math

import operator

import numpy as np

from .. import kernels
from ..autograd import Function
from ..backend import array_module_of, cast, erf
from ..errors import ShapeError


def _broadcast_error(op: str, x, y, err: Exception) -> ValueError:
    return ShapeError(f"{op}: shapes {tuple(np.shape(x))} and {tuple(np.shape(y))} cannot be "
                      f"broadcast together") if "broadcast" in str(err) else err


class _Binary(Function):
    """A two-input op whose forward is one array expression that may fail to broadcast; its
    inputs promote to one dtype as in PyTorch."""

    promotion = "common"

    def forward(ctx, x, y):
        try:
            return ctx.compute(x, y)
        except ValueError as err:
            raise _broadcast_error(type(ctx).__name__.lower(), x, y, err) from None


class Add(_Binary):
    """z = x + y.   dL/dx = g,   dL/dy = g."""

    def compute(ctx, x, y):
        return x + y

    def backward(ctx, g):
        return g, g


class Sub(_Binary):
    """z = x - y.   dL/dx = g,   dL/dy = -g."""

    def compute(ctx, x, y):
        return x - y

    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(_Binary):
    """z = x * y.   dL/dx = g * y,   dL/dy = g * x."""

    def compute(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    def backward(ctx, g):
        x, y = ctx.saved
        dx = g * y if ctx.needs_input_grad[0] else None
        dy = g * x if ctx.needs_input_grad[1] else None
        return dx, dy


class Div(_Binary):
    """z = x / y.   dL/dx = g / y,   dL/dy = -g * x / y².  True division: integers give
    floats."""

    promotion = "float"

    def compute(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x / y

    def backward(ctx, g):
        x, y = ctx.saved
        dx = g / y if ctx.needs_input_grad[0] else None
        dy = -g * x / (y * y) if ctx.needs_input_grad[1] else None
        return dx, dy


class Remainder(_Binary):
    """z = x mod y = x − ⌊x/y⌋·y, with the sign of y (Python's ``%``, PyTorch's
    ``remainder``).   dL/dx = g,   dL/dy = −⌊x/y⌋·g (⌊x/y⌋ is flat between its jumps)."""

    def compute(ctx, x, y):
        ctx.save_for_backward(x, y)
        return array_module_of(x).remainder(x, y)

    def backward(ctx, g):
        x, y = ctx.saved
        dy = -g * array_module_of(g).floor(x / y) if ctx.needs_input_grad[1] else None
        return g, dy


class Pow(_Binary):
    """z = x ** y.   dL/dx = g * y * x^(y-1),   dL/dy = g * x^y * ln x.

    At x = 0 we follow PyTorch: dL/dx = 0 where y = 0 (x⁰ is constant), and dL/dy = 0 where
    y >= 0 (ln 0 is -inf, but x^y is flat in y there); elsewhere the formulas' values.
    """

    def compute(ctx, x, y):
        z = x ** y
        ctx.save_for_backward(x, y, z)
        return z

    def backward(ctx, g):
        x, y, z = ctx.saved
        xp = array_module_of(g)
        dx = dy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if ctx.needs_input_grad[0]:
                dx = g * _where_not(xp, y == 0, y * x ** (y - 1))
            if ctx.needs_input_grad[1]:
                dy = g * _where_not(xp, (x == 0) & (y >= 0), z * xp.log(x))
        return dx, dy


def _where_not(xp, condition, value):
    """``value`` where ``condition`` is false, else 0; a single bool (a number exponent, or
    a 0-d array's comparison) decides once instead of elementwise (CuPy's ``where`` takes
    arrays only).  Zeros, not ``value * 0``: the value there may be inf or NaN (0 · 0⁻¹)."""
    if isinstance(condition, (bool, np.bool_)):
        return xp.zeros_like(value) if condition else value
    return xp.where(condition, 0, value)


class Neg(Function):
    """z = -x.   dL/dx = -g."""

    def forward(ctx, x):
        return -x

    def backward(ctx, g):
        return -g


class Exp(Function):
    """z = eˣ.   dL/dx = g * eˣ = g * z."""

    promotion = "float"

    def forward(ctx, x):
        z = array_module_of(x).exp(x)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved
        return g * z


class Log(Function):
    """z = ln x.   dL/dx = g / x."""

    promotion = "float"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module_of(x).log(x)

    def backward(ctx, g):
        (x,) = ctx.saved
        return g / x


class LogBase(Function):
    """z = log_b x for b = 2 or 10.   dL/dx = g / (x ln b)."""

    promotion = "float"

    def forward(ctx, x, base):
        ctx.save_for_backward(x)
        ctx.log_base = math.log(base)
        xp = array_module_of(x)
        return xp.log2(x) if base == 2 else xp.log10(x)

    def backward(ctx, g):
        (x,) = ctx.saved
        return g / (x * ctx.log_base)


class Sqrt(Function):
    """z = √x.   dL/dx = g / (2√x) = g / (2z)."""

    promotion = "float"

    def forward(ctx, x):
        z = array_module_of(x).sqrt(x)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved
        return g / (2 * z)


class Erf(Function):
    """z = erf x = (2/√π) ∫₀ˣ e^{-t²} dt.   dL/dx = g * (2/√π) e^{-x²}."""

    promotion = "float"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf(x)

    def backward(ctx, g):
        (x,) = ctx.saved
        return g * (2 / math.sqrt(math.pi)) * array_module_of(g).exp(-x * x)


class Sin(Function):
    """z = sin x.   dL/dx = g cos x."""

    promotion = "float"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module_of(x).sin(x)

    def backward(ctx, g):
        (x,) = ctx.saved
        return g * array_module_of(g).cos(x)


class Cos(Function):
    """z = cos x.   dL/dx = -g sin x."""

    promotion = "float"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module_of(x).cos(x)

    def backward(ctx, g):
        (x,) = ctx.saved
        return -g * array_module_of(g).sin(x)


class Floor(Function):
    """z = ⌊x⌋, the largest integer <= x (``rounding="trunc"``: towards zero instead).
    dL/dx = 0: a step function is flat almost everywhere (PyTorch's choice at the jumps,
    too)."""

    def forward(ctx, x, rounding="floor"):
        xp = array_module_of(x)
        return xp.floor(x) if rounding == "floor" else xp.trunc(x)

    def backward(ctx, g):
        return g * 0


class Abs(Function):
    """z = |x|.   dL/dx = g * sign(x)  (0 at x = 0, as PyTorch)."""

    def forward(ctx, x):
        xp = array_module_of(x)
        ctx.save_for_backward(x)
        return xp.abs(x)

    def backward(ctx, g):
        (x,) = ctx.saved
        return g * array_module_of(g).sign(x)


class Maximum(_Binary):
    """z = max(x, y) elementwise.   dL/dx = g * [x > y],   dL/dy = g * [y > x];
    at ties x == y each side gets g / 2 (PyTorch's rule: the subgradient's midpoint)."""

    def compute(ctx, x, y):
        ctx.save_for_backward(x, y)
        return array_module_of(x).maximum(x, y)

    def backward(ctx, g):
        x, y = ctx.saved
        return _tie_split(g, x > y, x == y)


class Minimum(_Binary):
    """z = min(x, y) elementwise.   dL/dx = g * [x < y],   dL/dy = g * [y < x]; ties split."""

    def compute(ctx, x, y):
        ctx.save_for_backward(x, y)
        return array_module_of(x).minimum(x, y)

    def backward(ctx, g):
        x, y = ctx.saved
        return _tie_split(g, x < y, x == y)


def _tie_split(g, x_wins, tie):
    """Gradients of a two-way selection: all of g to the winner, half each on a tie."""
    share = x_wins + 0.5 * tie
    return g * share, g * (1 - share)


class Where(Function):
    """z = x where cond else y.   dL/dx = g * cond,   dL/dy = g * (not cond)."""

    promotion, promoted_inputs = "common", (1, 2)

    def forward(ctx, cond, x, y):
        ctx.save_for_backward(cond)
        return _where(array_module_of(cond), cond, x, y)

    def backward(ctx, g):
        (cond,) = ctx.saved
        xp = array_module_of(g)
        dx = _where(xp, cond, g, 0) if ctx.needs_input_grad[1] else None
        dy = _where(xp, cond, 0, g) if ctx.needs_input_grad[2] else None
        return None, dx, dy


def _where(xp, cond, x, y):
    """The selection by the fused kernel when the door takes it, else by ``xp.where``."""
    out = kernels.where(cond, x, y)
    return xp.where(cond, x, y) if out is None else out


class Clamp(Function):
    """z = min(max(x, low), high).   dL/dx = g * [low <= x <= high].

    At a boundary itself the gradient passes, as in PyTorch up to 2.13 (2.14 gives 0 there;
    minigrad keeps the older rule).  Why: clamp is the identity on the closed interval
    [low, high], so a value exactly on a bound is still the input's own value, with slope 1
    from inside; and values sit exactly on a bound after a projection (weights clipped with
    ``clamp_``, probabilities clamped to [0, 1]), where a zero gradient would freeze them."""

    def forward(ctx, x, low=None, high=None):
        if low is None and high is None:
            raise ValueError("clamp: at least one of min and max must be given")
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        return array_module_of(x).clip(x, low, high)

    def backward(ctx, g):
        (x,) = ctx.saved
        inside = True
        if ctx.low is not None:
            inside = inside & (x >= ctx.low)
        if ctx.high is not None:
            inside = inside & (x <= ctx.high)
        return g * inside


class Cast(Function):
    """z = x converted to ``dtype``.   dL/dx = g converted back to x's dtype."""

    def forward(ctx, x, dtype):
        ctx.source = x.dtype
        return x.astype(dtype)

    def backward(ctx, g):
        return cast(g, ctx.source)


class Compare(Function):
    """z = (x <op> y) elementwise, ``op`` one of eq ne lt le gt ge: a boolean result, so it
    records no node and has no gradient.  It is an op (not a bare array expression) so that
    tracing sees it: a padding mask computed from the input (``tokens == 0``) exports to
    ONNX as the comparison itself, not as the example's frozen values."""

    def forward(ctx, x, y, op):
        return getattr(operator, op)(x, y)


LOGIC = {"and": operator.and_, "or": operator.or_, "xor": operator.xor}


class Logical(Function):
    """z = x and/or/xor y, or not x (``op`` and, or, xor, not) on boolean or integer
    tensors (bitwise on integers): no gradient, an op so that tracing sees it."""

    def forward(ctx, x, y=None, op="and"):
        return ~x if op == "not" else LOGIC[op](x, y)

