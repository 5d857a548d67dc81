"""Dropout: randomly zero elements during training (inverted scaling)."""
from __future__ import annotations

from ..autograd import Function
from ..backend import device_generator, device_of


class Dropout(Function):
    """z = x ⊙ m / (1 - p), with m_i ~ Bernoulli(1 - p) drawn once per call.
    Dividing by the keep probability keeps E[z] = x, so evaluation needs no rescaling.
    dL/dx = g ⊙ m / (1 - p)  (the same mask)."""

    def forward(ctx, x, p, channels=False):
        """``channels``: one draw per (sample, channel), so whole feature maps are zeroed
        (``dropout2d``: neighbouring pixels are correlated, single ones carry little)."""
        shape = x.shape[:2] + (1,) * (x.ndim - 2) if channels else x.shape
        keep = device_generator(device_of(x)).random(shape) >= p     # drawn where x lives
        ctx.factor = 1.0 / (1.0 - p)
        mask = (keep * ctx.factor).astype(x.dtype, copy=False)
        ctx.save_for_backward(keep)
        ctx.cache_for_backward(mask)        # keep / (1 - p), in x's dtype
        return x * mask

    def backward(ctx, g):
        (keep,), (mask,) = ctx.saved, ctx.cached
        return g * (keep * ctx.factor if mask is None else mask)
