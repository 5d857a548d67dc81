"""Loss functions, each fused into one node whose backward is the simplified formula.

Each loss computes a per-element (or per-sample) loss ℓ and then reduces it: ``'mean'``
(÷ N), ``'sum'``, or ``'none'``.  In backward, ``upstream(g)`` turns g = dL/d(reduced loss)
into dL/dℓ for each element: g/N, g, or g itself.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import array_module_of
from .activations import exp_and_logsumexp, stable_sigmoid

REDUCTIONS = ("mean", "sum", "none")


class _Loss(Function):
    """Shared reduction logic."""

    def reduce(ctx, per_element, reduction: str, count=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(ctx).__name__}: reduction must be one of {REDUCTIONS}, "
                             f"got {reduction!r}")
        ctx.reduction = reduction
        ctx.count = per_element.size if count is None else count
        if reduction == "none":
            return per_element
        total = per_element.sum()
        if reduction == "sum":
            return total
        return total / ctx.count if ctx.count else total * float("nan")  # mean of nothing

    def upstream(ctx, g):
        """dL/dℓ for each element, from g = dL/d(reduced loss)."""
        return g / ctx.count if ctx.reduction == "mean" else g


def _column(v):
    """A per-row value as a column, so it scales whole rows (a scalar stays a scalar)."""
    return v.reshape(-1, 1) if v.ndim else v


class MSELoss(_Loss):
    """ℓ = (x - t)² (F6; F7's ½ is a constant factor).   dℓ/dx = 2 (x - t),  dℓ/dt = -2 (x - t)."""

    def forward(ctx, x, t, reduction="mean"):
        ctx.diff = x - t
        return ctx.reduce(ctx.diff * ctx.diff, reduction)

    def backward(ctx, g):
        dx = 2 * ctx.diff * ctx.upstream(g)
        return dx, (-dx if ctx.needs_input_grad[1] else None)


class CrossEntropy(_Loss):
    """Softmax + cross-entropy from logits x (rows = samples) and a target distribution q
    (one-hot for class indices, optionally label-smoothed):

        ℓ = -Σ_c q_c log softmax(x)_c            (F8, via log-softmax: never log(0))
        dℓ/dx = softmax(x) Σ_c q_c - q  = ŷ - y for a one-hot y   (F4 corrected)
        dℓ/dq = -log softmax(x)                   (probability targets)

    Rows whose class index is ``ignore_index`` have q = 0, add nothing, and are not counted
    by the mean.  Class indices without smoothing never build the one-hot matrix: ℓ is then
    the picked -log ŷ_t and backward subtracts 1 at the picked positions.
    """

    def forward(ctx, x, target, reduction="mean", ignore_index=-100, label_smoothing=0.0):
        e, total, log_total = exp_and_logsumexp(x, 1)   # log softmax = x - log_total
        ctx.p, ctx.q, ctx.smoothing = e / total, None, label_smoothing
        if target.dtype.kind in "iu":
            ctx.weight, count = _valid_targets("cross_entropy", target, x.shape[1], ignore_index)
            ctx.rows = array_module_of(x).arange(len(target))
            ctx.cols = target if isinstance(ctx.weight, float) else target * (ctx.weight > 0)
            if not label_smoothing:  # ℓ = -log ŷ_t = ln Σ e^x - x_t
                ctx.mass = ctx.weight if isinstance(ctx.weight, float) else ctx.weight[:, None]
                picked = log_total[:, 0] - x[ctx.rows, ctx.cols]
                return ctx.reduce(picked * ctx.weight, reduction, count)
            target = array_module_of(x).zeros_like(x)
            target[ctx.rows, ctx.cols] = ctx.weight
        else:
            count = len(target)
        q = target
        if label_smoothing:
            q = (1 - label_smoothing) * q + label_smoothing / x.shape[1] * q.sum(1, keepdims=True)
        ctx.log_p = x - log_total
        ctx.q, ctx.mass = q, q.sum(axis=1, keepdims=True)
        return ctx.reduce(-(q * ctx.log_p).sum(axis=1), reduction, count)

    def backward(ctx, g):
        dx = ctx.p * ctx.mass
        if ctx.q is None:
            dx[ctx.rows, ctx.cols] -= ctx.weight
        else:
            dx -= ctx.q
        scale = _column(ctx.upstream(g))
        dx *= scale
        dq = None
        if ctx.needs_input_grad[1]:
            spread = ctx.smoothing / ctx.log_p.shape[1] * ctx.log_p.sum(axis=1, keepdims=True)
            dq = -((1 - ctx.smoothing) * ctx.log_p + spread) * scale
        return dx, dq


class NLLLoss(_Loss):
    """ℓ = -log p_t, from log-probabilities (rows = samples) and class indices t.
    dℓ/d(log p)_c = -1 if c = t else 0."""

    def forward(ctx, log_p, target, reduction="mean", ignore_index=-100):
        ctx.weight, count = _valid_targets("nll_loss", target, log_p.shape[1], ignore_index)
        ctx.rows = array_module_of(log_p).arange(len(target))
        ctx.cols = target if isinstance(ctx.weight, float) else target * (ctx.weight > 0)
        ctx.shape = log_p.shape
        return ctx.reduce(-log_p[ctx.rows, ctx.cols] * ctx.weight, reduction, count)

    def backward(ctx, g):
        grad = array_module_of(g).zeros(ctx.shape, dtype=g.dtype)
        grad[ctx.rows, ctx.cols] = -ctx.upstream(g) * ctx.weight
        return grad, None


class BinaryCrossEntropy(_Loss):
    """ℓ = -(t log p + (1 - t) log(1 - p)) on probabilities p, each log clamped at -100 like
    PyTorch so that p = 0 or 1 gives a large finite loss instead of inf.
    dℓ/dp = (p - t) / max(p (1 - p), 1e-12),   dℓ/dt = log(1 - p) - log p."""

    def forward(ctx, p, t, reduction="mean"):
        xp = array_module_of(p)
        if p.size and (p.min() < 0 or p.max() > 1):
            raise ValueError(f"binary_cross_entropy: input must be probabilities in [0, 1]; got "
                             f"values in [{p.min():.4g}, {p.max():.4g}] (for logits use "
                             f"binary_cross_entropy_with_logits)")
        with np.errstate(divide="ignore"):
            ctx.log_p = xp.maximum(xp.log(p), -100)
            ctx.log_1mp = xp.maximum(xp.log(1 - p), -100)
        ctx.p, ctx.t = p, t
        return ctx.reduce(-(t * ctx.log_p + (1 - t) * ctx.log_1mp), reduction)

    def backward(ctx, g):
        xp = array_module_of(g)
        up = ctx.upstream(g)
        dp = up * (ctx.p - ctx.t) / xp.maximum(ctx.p * (1 - ctx.p), 1e-12)
        dt = up * (ctx.log_1mp - ctx.log_p) if ctx.needs_input_grad[1] else None
        return dp, dt


class BinaryCrossEntropyWithLogits(_Loss):
    """ℓ = -(t log σ(x) + (1 - t) log(1 - σ(x))) = max(x, 0) - x t + log(1 + e^-|x|)
    (stable: no exp of a positive number).   dℓ/dx = σ(x) - t,   dℓ/dt = -x."""

    def forward(ctx, x, t, reduction="mean"):
        xp = array_module_of(x)
        ctx.x, ctx.t = x, t
        per_element = xp.maximum(x, 0) - x * t + xp.log1p(xp.exp(-xp.abs(x)))
        return ctx.reduce(per_element, reduction)

    def backward(ctx, g):
        up = ctx.upstream(g)
        dx = up * (stable_sigmoid(ctx.x) - ctx.t)
        dt = -up * ctx.x if ctx.needs_input_grad[1] else None
        return dx, dt


class Hinge(_Loss):
    """ℓ = max(0, m - y·ŷ) with labels y ∈ {-1, +1} (F9, margin m = 1).
    dℓ/dŷ = -y where m - y·ŷ > 0, else 0."""

    def forward(ctx, score, y, margin=1.0, reduction="mean"):
        xp = array_module_of(score)
        if y.size and not bool(((y == 1) | (y == -1)).all()):
            raise ValueError(f"hinge_loss: labels must be -1 or +1; got values "
                             f"{sorted(set(xp.unique(y).tolist()))[:5]}")
        ctx.y = y
        ctx.active = margin - y * score > 0
        return ctx.reduce(xp.maximum(margin - y * score, 0), reduction)

    def backward(ctx, g):
        return -ctx.y * ctx.active * ctx.upstream(g), None


def _valid_targets(op: str, target, classes: int, ignore_index: int):
    """(weight, count): which targets count (not ``ignore_index``) and how many, after
    checking their range.  The weight is 1.0 when all count, else a 0/1 float array."""
    valid = target != ignore_index
    all_valid = bool(valid.all())
    counted = target if all_valid else target[valid]
    low, high = counted.min(initial=0), counted.max(initial=0)
    if low < 0 or high >= classes:
        bad = high if high >= classes else low
        raise IndexError(f"{op}: target {int(bad)} is out of range for {classes} classes "
                         f"(valid: 0..{classes - 1})")
    if all_valid:
        return 1.0, len(target)
    return valid.astype("float32"), len(counted)
