"""Dropout: randomly zero elements during training (inverted scaling)."""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module_of, device_generator, device_of


def draw_keep(shape: tuple, p: float, device):
    """Bernoulli(1 − p) draws of ``shape`` on ``device``: True where an element is kept."""
    return device_generator(device).random(shape) >= p


def scaled_mask(keep, p: float, dtype):
    """keep / (1 − p) in ``dtype``: inverted dropout's multiplier (0 or 1/(1 − p)).  Made in
    one pass in the model's dtype: a bool array times a Python float is float64 in NumPy, and
    multiplying a float32 activation by it would turn the rest of the model float64."""
    return array_module_of(keep).multiply(keep, 1.0 / (1.0 - p), dtype=dtype)


class Dropout(Function):
    """z = x ⊙ m / (1 - p), with m_i ~ Bernoulli(1 - p) drawn once per call.
    Dividing by the keep probability keeps E[z] = x, so evaluation needs no rescaling.
    dL/dx = g ⊙ m / (1 - p)  (the same mask)."""

    def forward(ctx, x, p, channels=False):
        """``channels``: one draw per (sample, channel), so whole feature maps are zeroed
        (``dropout2d``: neighbouring pixels are correlated, single ones carry little)."""
        shape = x.shape[:2] + (1,) * (x.ndim - 2) if channels else x.shape
        keep = draw_keep(shape, p, device_of(x))                       # drawn where x lives
        ctx.p = p
        mask = scaled_mask(keep, p, x.dtype)
        ctx.save_for_backward(keep)
        ctx.cache_for_backward(mask)        # keep / (1 - p), in x's dtype
        return x * mask

    def backward(ctx, g):
        (keep,), (mask,) = ctx.saved, ctx.cached
        return g * (scaled_mask(keep, ctx.p, g.dtype) if mask is None else mask)
