"""Embedding lookup: rows of a weight matrix selected by integer indices."""
from __future__ import annotations

from ..autograd import Function
from ..backend import ensure, scattered


class Embedding(Function):
    """z[..., :] = W[index[...], :].   dL/dW[r] = Σ of g over the positions whose index is r
    (a scatter-add: a word used k times gets k contributions); the ``padding_idx`` row gets
    none, so padding never learns."""

    def forward(ctx, weight, index, padding_idx=None):
        if index.dtype.kind not in "iu":
            raise TypeError(f"embedding: indices must be integers, got dtype {index.dtype}")
        rows = weight.shape[0]
        in_range = index.astype("uint64") < rows  # a negative index wraps to a huge one
        ensure(in_range.all(), IndexError,
               lambda: f"embedding: index {int(index[~in_range][0])} is out of range for "
                       f"{rows} embeddings (valid: 0..{rows - 1})")
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
