"""Scaled dot-product attention as one Function, forward and backward written out.

Attention is a soft dictionary lookup: each query q_i scores every key k_j, the scores become
weights by a softmax, and the answer is the weighted average of the values:

    S = Q Kᵀ / √d + M          (M: 0 where allowed, −∞ where masked)
    P = softmax(S) along the keys,     O = P V

Backward, with G = dL/dO:

    dV = Pᵀ G,   dP = G Vᵀ,   dS = P ⊙ (dP − rowsum(dP ⊙ P)),   dQ = dS K / √d,   dK = dSᵀ Q / √d

A query whose keys are *all* masked has no weights to normalize: we define its weights, output
and gradients as 0 (a plain softmax would give 0/0 = nan there).
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..backend import array_module_of, generator, to_device, device_of


def additive_mask(shape: tuple, attn_mask=None, is_causal: bool = False, xp=np):
    """The mask M added to the scores, broadcastable to ``shape`` (…, L, S), or None.
    A boolean ``attn_mask`` marks the pairs that *may* attend (PyTorch's SDPA convention);
    a float one is added as is; ``is_causal`` forbids attending to later keys."""
    mask = None
    if attn_mask is not None:
        attn_mask = xp.asarray(attn_mask)  # a NumPy/list mask moves to the queries' device
        mask = xp.where(attn_mask, 0.0, -np.inf) if attn_mask.dtype == bool else attn_mask
    if is_causal:
        length, source = shape[-2], shape[-1]
        causal = xp.where(xp.tril(xp.ones((length, source), dtype=bool)), 0.0, -np.inf)
        mask = causal if mask is None else mask + causal
    return mask


class ScaledDotProductAttention(Function):
    """O = softmax(Q Kᵀ / √d + M) V over the last two axes (module docstring), with optional
    dropout on the weights P (the same mask is used in backward)."""

    def forward(ctx, q, k, v, mask=None, dropout_p=0.0, scale=None):
        xp = array_module_of(q)
        ctx.scale = scale if scale is not None else 1 / math.sqrt(q.shape[-1])
        scores = (q @ xp.swapaxes(k, -1, -2)) * ctx.scale
        if mask is not None:
            scores = scores + mask
        top = scores.max(axis=-1, keepdims=True)
        top = xp.where(xp.isfinite(top), top, 0)            # fully masked rows: no shift
        e = xp.exp(scores - top)                            # exp(−∞) = 0: masked weights
        total = e.sum(axis=-1, keepdims=True)
        p = e / xp.where(total > 0, total, 1)               # fully masked rows stay 0
        ctx.weights = p
        if dropout_p:
            keep = to_device(generator().random(p.shape) >= dropout_p, device_of(p))
            ctx.drop = keep.astype(p.dtype) / (1 - dropout_p)
            p = p * ctx.drop
        else:
            ctx.drop = None
        ctx.save_for_backward(q, k, v, p)
        return p @ v

    def backward(ctx, g):
        q, k, v, p_used = ctx.saved
        xp, p = array_module_of(g), ctx.weights
        dv = xp.swapaxes(p_used, -1, -2) @ g
        dp = g @ xp.swapaxes(v, -1, -2)
        if ctx.drop is not None:
            dp = dp * ctx.drop
        ds = p * (dp - (dp * p).sum(axis=-1, keepdims=True))
        dq = (ds @ k) * ctx.scale
        dk = (xp.swapaxes(ds, -1, -2) @ q) * ctx.scale
        return dq, dk, dv, None
