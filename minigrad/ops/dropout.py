"""Dropout: randomly zero elements during training (inverted scaling)."""
from __future__ import annotations

from ..autograd import Function
from ..backend import generator, to_device, device_of


class Dropout(Function):
    """z = x ⊙ m / (1 - p), with m_i ~ Bernoulli(1 - p) drawn once per call.
    Dividing by the keep probability keeps E[z] = x, so evaluation needs no rescaling.
    dL/dx = g ⊙ m / (1 - p)  (the same mask)."""

    def forward(ctx, x, p):
        keep = generator().random(x.shape) >= p
        ctx.scale = to_device(keep, device_of(x)) * (1.0 / (1.0 - p))
        ctx.scale = ctx.scale.astype(x.dtype, copy=False)
        return x * ctx.scale

    def backward(ctx, g):
        return g * ctx.scale
