"""Loss functions, each fused into one node whose backward is the simplified formula.

Each loss computes a per-element (or per-sample) loss ℓ and then reduces it: ``'mean'``
(÷ N), ``'sum'``, or ``'none'``.  In backward, ``upstream(g)`` turns g = dL/d(reduced loss)
into dL/dℓ for each element: g/N, g, or g itself.
"""
from __future__ import annotations

import numpy as np

from .. import kernels
from ..autograd import Function
from ..backend import array_module_of, cast, ensure, scattered, value_if_free
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
        if isinstance(ctx.count, int) and ctx.count == 0:
            return total * float("nan")  # a mean of nothing
        return total / ctx.count

    def upstream(ctx, g):
        """dL/dℓ for each element, from g = dL/d(reduced loss): g/N for a mean.  A mean over
        nothing (every target ignored, or no elements) is NaN, but no element took part, so
        each gets a zero gradient, as in PyTorch: dividing by max(N, 1) lets the zero weights
        of the ignored rows give 0 instead of 0 · (g/0) = NaN, which would poison every
        weight at the next optimizer step."""
        if ctx.reduction != "mean":
            return g
        count = ctx.count
        if isinstance(count, int):
            return g / max(count, 1)
        return g / array_module_of(count).maximum(count, 1)  # a device scalar on a GPU


def _column(v):
    """A per-row value as a column, so it scales whole rows (a scalar stays a scalar)."""
    return v.reshape(-1, 1) if v.ndim else v


class MSELoss(_Loss):
    """ℓ = (x - t)² (F6; F7's ½ is a constant factor).   dℓ/dx = 2 (x - t),  dℓ/dt = -2 (x - t)."""

    def forward(ctx, x, t, reduction="mean"):
        ctx.save_for_backward(x, t)
        diff = x - t
        return ctx.reduce(diff * diff, reduction)

    def backward(ctx, g):
        x, t = ctx.saved
        dx = 2 * (x - t) * ctx.upstream(g)
        return dx, (-dx if ctx.needs_input_grad[1] else None)


class SmoothL1(_Loss):
    """With d = x − t:  ℓ = ½d²/β where |d| < β, else |d| − ½β  (PyTorch's smooth L1: Huber's
    loss divided by β; quadratic near 0, linear beyond, so an outlier's gradient is bounded).
    dℓ/dx = d/β where |d| < β, else sign(d);   dℓ/dt = −dℓ/dx.   β = 0 is the L1 loss |d|."""

    def forward(ctx, x, t, reduction="mean", beta=1.0):
        if beta < 0:
            raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
        ctx.beta = beta
        ctx.save_for_backward(x, t)
        d = x - t
        size = array_module_of(d).abs(d)
        per_element = size if beta == 0 else \
            array_module_of(d).where(size < beta, 0.5 * d * d / beta, size - 0.5 * beta)
        return ctx.reduce(per_element, reduction)

    def backward(ctx, g):
        x, t = ctx.saved
        xp, d = array_module_of(g), x - t
        slope = xp.sign(d) if ctx.beta == 0 else \
            xp.where(xp.abs(d) < ctx.beta, d / ctx.beta, xp.sign(d))
        dx = slope * ctx.upstream(g)
        return dx, (-dx if ctx.needs_input_grad[1] else None)


class CrossEntropy(_Loss):
    """Softmax + cross-entropy from logits x (rows = samples) and a target distribution q
    (one-hot rows for class indices, or given probabilities; label smoothing ε mixes in the
    uniform distribution, PyTorch's rule: q ← (1 - ε) q + ε/C):

        ℓ = -Σ_c q_c log softmax(x)_c            (F8, via log-softmax: never log(0))
        dℓ/dx = softmax(x) Σ_c q_c - q  = ŷ - y for a one-hot y   (F4 corrected)
        dℓ/dq = -(1 - ε) log softmax(x)           (probability targets)

    Rows whose class index is ``ignore_index`` have q = 0, add nothing, and are not counted
    by the mean.  Class indices without smoothing never build q in the forward: ℓ is then
    the picked -log ŷ_t = ln Σ e^x - x_t.
    """

    def forward(ctx, x, target, reduction="mean", ignore_index=-100, label_smoothing=0.0):
        ctx.ignore_index, ctx.smoothing = ignore_index, label_smoothing
        ctx.save_for_backward(x, target)
        ctx.picked = target.dtype.kind in "iu" and not label_smoothing
        if target.dtype.kind in "iu":
            count, ctx.all_valid = _counted_targets("cross_entropy", target, x.shape[1],
                                                    ignore_index)
            fused = kernels.softmax_cross_entropy(x, target, ignore_index) if ctx.picked \
                else None
            if fused is not None:  # one pass per row: softmax, log Σ e^x, the picked logit
                p, per_row = fused
                ctx.cache_for_backward(p)
                return ctx.reduce(per_row, reduction, count)
        else:
            count = len(target)
        e, total, log_total = exp_and_logsumexp(x, 1)   # log softmax = x - log_total
        ctx.cache_for_backward(e / total)               # softmax(x)
        if ctx.picked:
            weight, cols = ctx.picked_classes(target, x)
            picked = log_total[:, 0] - x[array_module_of(x).arange(len(target)), cols]
            return ctx.reduce(picked if ctx.all_valid else picked * weight, reduction, count)
        q = ctx.distribution(target, x)
        return ctx.reduce(-(q * (x - log_total)).sum(axis=1), reduction, count)

    def picked_classes(ctx, target, x):
        """(weight, class per row): weight 1 for a counted row, 0 for ``ignore_index`` (whose
        class is read as 0 only to have a valid index); just 1.0 when every row counts."""
        if ctx.all_valid:
            return 1.0, target
        valid = target != ctx.ignore_index
        return cast(valid, x.dtype), array_module_of(x).where(valid, target, 0)

    def distribution(ctx, target, x):
        """q, (N, C): one-hot rows for class indices (zero rows for ``ignore_index``) or the
        given probabilities, smoothed with ε."""
        xp, (n, classes), eps = array_module_of(x), x.shape, ctx.smoothing
        if target.dtype.kind not in "iu":
            return (1 - eps) * target + eps / classes if eps else target
        weight, cols = ctx.picked_classes(target, x)
        weight = weight * xp.ones_like(x[:, 0]) if ctx.all_valid else weight
        q = scattered(weight, (xp.arange(n), cols), x.shape, unique=True)
        return (1 - eps) * q + (eps / classes) * weight[:, None] if eps else q

    def backward(ctx, g):
        (x, target), (p,) = ctx.saved, ctx.cached
        xp = array_module_of(g)
        if p is None:  # building a graph: the softmax is recomputed, differentiably
            e, total, _ = exp_and_logsumexp(x, 1)
            p = e / total
        if ctx.picked:
            fused = kernels.softmax_cross_entropy_backward(p, target, ctx.ignore_index,
                                                           ctx.upstream(g))
            if fused is not None:
                return fused, None
        scale = _column(ctx.upstream(g))
        if ctx.picked:  # q one-hot: dx = p·w - onehot·w, the one-hot part subtracted in place
            weight, cols = ctx.picked_classes(target, x)
            w = scale if ctx.all_valid else _column(weight) * scale
            rows = xp.arange(x.shape[0])
            return scattered(-w[:, 0] if w.ndim else -w, (rows, cols), x.shape, unique=True,
                             into=p * w), None
        q = ctx.distribution(target, x)
        dx = (p * q.sum(axis=1, keepdims=True) - q) * scale
        dq = None
        if ctx.needs_input_grad[1]:
            dq = -(1 - ctx.smoothing) * (x - exp_and_logsumexp(x, 1)[2]) * scale
        return dx, dq


class NLLLoss(_Loss):
    """ℓ = -log p_t, from log-probabilities (rows = samples) and class indices t.
    dℓ/d(log p)_c = -1 if c = t else 0."""

    def forward(ctx, log_p, target, reduction="mean", ignore_index=-100):
        xp = array_module_of(log_p)
        count, _ = _counted_targets("nll_loss", target, log_p.shape[1], ignore_index)
        valid = target != ignore_index
        ctx.save_for_backward(valid, xp.where(valid, target, 0))
        ctx.shape = log_p.shape
        picked = log_p[xp.arange(len(target)), xp.where(valid, target, 0)]
        return ctx.reduce(-picked * valid, reduction, count)

    def backward(ctx, g):
        valid, cols = ctx.saved
        xp = array_module_of(g)
        rows = xp.arange(ctx.shape[0])
        return scattered(-ctx.upstream(g) * valid, (rows, cols), ctx.shape, unique=True), None


class BinaryCrossEntropy(_Loss):
    """ℓ = -(t log p + (1 - t) log(1 - p)) on probabilities p, each log clamped at -100 like
    PyTorch so that p = 0 or 1 gives a large finite loss instead of inf.
    dℓ/dp = (p - t) / max(p (1 - p), 1e-12),   dℓ/dt = log(1 - p) - log p."""

    def forward(ctx, p, t, reduction="mean"):
        ensure(((p >= 0) & (p <= 1)).all(), ValueError,
               lambda: f"binary_cross_entropy: input must be probabilities in [0, 1]; got "
                       f"values in [{float(p.min()):.4g}, {float(p.max()):.4g}] (for logits "
                       f"use binary_cross_entropy_with_logits)")
        ctx.save_for_backward(p, t)
        log_p, log_1mp = _clamped_logs(p)
        return ctx.reduce(-(t * log_p + (1 - t) * log_1mp), reduction)

    def backward(ctx, g):
        p, t = ctx.saved
        xp = array_module_of(g)
        up = ctx.upstream(g)
        dp = up * (p - t) / xp.maximum(p * (1 - p), 1e-12)
        dt = None
        if ctx.needs_input_grad[1]:
            log_p, log_1mp = _clamped_logs(p)
            dt = up * (log_1mp - log_p)
        return dp, dt


def _clamped_logs(p):
    """(log p, log(1 - p)), each clamped at -100 (PyTorch's BCE)."""
    xp = array_module_of(p)
    with np.errstate(divide="ignore"):
        return xp.maximum(xp.log(p), -100), xp.maximum(xp.log(1 - p), -100)


class BinaryCrossEntropyWithLogits(_Loss):
    """ℓ = -(t log σ(x) + (1 - t) log(1 - σ(x))) = max(x, 0) - x t + log(1 + e^-|x|)
    (stable: no exp of a positive number).   dℓ/dx = σ(x) - t,   dℓ/dt = -x."""

    def forward(ctx, x, t, reduction="mean"):
        xp = array_module_of(x)
        ctx.save_for_backward(x, t)
        per_element = xp.maximum(x, 0) - x * t + xp.log1p(xp.exp(-xp.abs(x)))
        return ctx.reduce(per_element, reduction)

    def backward(ctx, g):
        x, t = ctx.saved
        up = ctx.upstream(g)
        dx = up * (stable_sigmoid(x) - t)
        dt = -up * x if ctx.needs_input_grad[1] else None
        return dx, dt


class Hinge(_Loss):
    """ℓ = max(0, m - y·ŷ) with labels y ∈ {-1, +1} (F9, margin m = 1).
    dℓ/dŷ = -y where m - y·ŷ > 0, else 0."""

    def forward(ctx, score, y, margin=1.0, reduction="mean"):
        xp = array_module_of(score)
        ensure(((y == 1) | (y == -1)).all(), ValueError,
               lambda: f"hinge_loss: labels must be -1 or +1; got values "
                       f"{sorted(set(xp.unique(y).tolist()))[:5]}")
        ctx.save_for_backward(y, margin - y * score > 0)
        return ctx.reduce(xp.maximum(margin - y * score, 0), reduction)

    def backward(ctx, g):
        y, active = ctx.saved
        return -y * active * ctx.upstream(g), None


def _counted_targets(op: str, target, classes: int, ignore_index: int) -> tuple:
    """(count, all_valid): how many targets count (are not ``ignore_index``) and whether all
    do, after checking the range of the others (``backend.ensure``: at once on the CPU; on a
    GPU at the next read, so a training step never waits for the device).  On a GPU ``count``
    stays a device scalar and ``all_valid`` is False (unknown without a read)."""
    if target.size:  # the common case, decided from two reductions when reading them is free
        low, high = value_if_free(target.min()), value_if_free(target.max())
        if low is not None and 0 <= low and high < classes and \
                not low <= ignore_index <= high:
            return len(target), True
    valid = target != ignore_index
    in_range = target.astype(np.uint64) < classes   # a negative index wraps to a huge one
    ensure((in_range | ~valid).all(), IndexError,
           lambda: f"{op}: target {int(target[valid & ~in_range][0])} is out of range for "
                   f"{classes} classes (valid: 0..{classes - 1})")
    count = valid.sum()
    known = value_if_free(count)
    return (count, False) if known is None else (known, known == len(target))
