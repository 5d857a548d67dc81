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
from ..backend import array_module_of, device_of
from .dropout import draw_keep, scaled_mask


def additive_mask(shape: tuple, attn_mask=None, is_causal: bool = False, xp=np,
                  dtype=np.float32):
    """The mask M added to the scores, broadcastable to ``shape`` (…, L, S), or None.
    A boolean ``attn_mask`` marks the pairs that *may* attend (PyTorch's SDPA convention);
    a float one is added as is; ``is_causal`` forbids attending to later keys.  Masks built
    here have the queries' ``dtype`` (a float32 model stays float32)."""
    mask = None
    if attn_mask is not None:
        attn_mask = xp.asarray(attn_mask)  # a NumPy/list mask moves to the queries' device
        mask = xp.where(attn_mask, dtype.type(0), dtype.type(-np.inf)) \
            if attn_mask.dtype == bool else attn_mask
    if is_causal:
        length, source = shape[-2], shape[-1]
        allowed = xp.tril(xp.ones((length, source), dtype=bool))
        causal = xp.where(allowed, dtype.type(0), dtype.type(-np.inf))
        mask = causal if mask is None else mask + causal
    return mask


def attention_weights(q, k, mask, scale: float):
    """P = softmax(Q Kᵀ · scale + M) over the keys, with the rows whose keys are all masked
    set to 0 instead of 0/0."""
    xp = array_module_of(q)
    scores = (q @ xp.swapaxes(k, -1, -2)) * scale
    if mask is not None:
        scores = scores + mask
    top = xp.max(scores, axis=-1, keepdims=True)
    top = xp.where(xp.isfinite(top), top, 0)            # fully masked rows: no shift
    e = xp.exp(scores - top)                            # exp(−∞) = 0: masked weights
    total = e.sum(axis=-1, keepdims=True)
    return e / xp.where(total > 0, total, 1)            # fully masked rows stay 0


class ScaledDotProductAttention(Function):
    """O = softmax(Q Kᵀ / √d + M) V over the last two axes (module docstring), with optional
    dropout on the weights P (the same mask is used in backward).  A float mask M that
    requires grad gets dL/dM = dS (it is added to the scores)."""

    def forward(ctx, q, k, v, mask=None, dropout_p=0.0, scale=None):
        ctx.scale = scale if scale is not None else 1 / math.sqrt(q.shape[-1])
        p = attention_weights(q, k, mask, ctx.scale)
        keep = None
        if dropout_p:
            keep = draw_keep(p.shape, dropout_p, device_of(p))
        ctx.dropout_p = dropout_p
        ctx.save_for_backward(q, k, v, mask, keep)
        ctx.cache_for_backward(p)
        return (p * scaled_mask(keep, dropout_p, p.dtype) if keep is not None else p) @ v

    def backward(ctx, g):
        (q, k, v, mask, keep), (p,) = ctx.saved, ctx.cached
        xp = array_module_of(g)
        if p is None:  # building a graph: the weights again, differentiably
            p = attention_weights(q, k, mask, ctx.scale)
        drop = None if keep is None else scaled_mask(keep, ctx.dropout_p, p.dtype)
        dv = xp.swapaxes(p if drop is None else p * drop, -1, -2) @ g
        dp = g @ xp.swapaxes(v, -1, -2)
        if drop is not None:
            dp = dp * drop
        ds = p * (dp - (dp * p).sum(axis=-1, keepdims=True))
        dq = (ds @ k) * ctx.scale
        dk = (xp.swapaxes(ds, -1, -2) @ q) * ctx.scale
        return dq, dk, dv, (ds if ctx.needs_input_grad[3] else None)
