"""Embedding lookup: rows of a weight matrix selected by integer indices."""
from __future__ import annotations

from ..autograd import Function
from ..backend import scattered


class Embedding(Function):
    """z[..., :] = W[index[...], :].   dL/dW[r] = Σ of g over the positions whose index is r
    (a scatter-add: a word used k times gets k contributions); the ``padding_idx`` row gets
    none, so padding never learns."""

    def forward(ctx, weight, index, padding_idx=None):
        if index.dtype.kind not in "iu":
            raise TypeError(f"embedding: indices must be integers, got dtype {index.dtype}")
        low, high = (index.min(), index.max()) if index.size else (0, 0)
        if low < 0 or high >= weight.shape[0]:
            bad = high if high >= weight.shape[0] else low
            raise IndexError(f"embedding: index {int(bad)} is out of range for "
                             f"{weight.shape[0]} embeddings (valid: 0..{weight.shape[0] - 1})")
        ctx.save_for_backward(index)
        ctx.padding_idx, ctx.shape = padding_idx, weight.shape
        return weight[index]

    def backward(ctx, g):
        (index,) = ctx.saved
        index = index.reshape(-1)
        rows = g.reshape(-1, ctx.shape[1])
        if ctx.padding_idx is not None:  # the padding row learns nothing
            rows = rows * (index != ctx.padding_idx)[:, None]
        return scattered(rows, index, ctx.shape), None
