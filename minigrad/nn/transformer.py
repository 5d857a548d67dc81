"""Multi-head attention and the Transformer encoder, with PyTorch's names, layouts and
defaults (so a PyTorch ``state_dict`` loads unchanged), and positional encodings.

Multi-head attention projects the inputs to queries, keys and values with one packed matrix
``in_proj_weight`` (3E × E: rows for Q, then K, then V), splits the E features into H heads of
E/H, runs scaled dot-product attention in every head at once, joins the heads and projects
with ``out_proj``.
"""
from __future__ import annotations

import copy
import math

import numpy as np

from .. import functional as F
from ..backend import array_module_of, device_of, to_device
from ..creation import arange, empty, zeros
from ..errors import ShapeError
from ..ops.attention import ScaledDotProductAttention, attention_weights
from ..tensor import Tensor
from . import init
from .containers import ModuleList
from .layers import Dropout, Linear
from .module import Module, Parameter
from .normalization import LayerNorm


def _mha_mask(attn_mask, key_padding_mask, batch: int, heads: int, length: int, source: int,
              is_causal: bool, like):
    """nn.MultiheadAttention's masks as one additive mask (B, H, L, S) or None, built on the
    device and in the dtype of ``like`` (the queries).  Here, unlike in
    F.scaled_dot_product_attention, a boolean True means *not allowed* (PyTorch's MHA
    convention); ``key_padding_mask`` (B, S) marks padded keys; ``is_causal`` (without an
    ``attn_mask``) forbids attending to later keys."""
    xp, dtype = array_module_of(like), like.dtype
    blocked = dtype.type(-np.inf)

    def additive(mask):
        mask = _on_device_of(like, mask)
        return xp.where(mask, blocked, dtype.type(0)) if mask.dtype == bool \
            else mask.astype(dtype, copy=False)
    mask = None
    if attn_mask is not None:
        mask = additive(attn_mask)
        mask = mask.reshape(batch, heads, length, source) if mask.ndim == 3 else mask
    elif is_causal:
        mask = xp.triu(xp.full((length, source), blocked, dtype=dtype), 1)
    if key_padding_mask is not None:
        padding = additive(key_padding_mask)[:, None, None, :]
        mask = padding if mask is None else mask + padding
    return mask


def _on_device_of(like, mask):
    """A mask (Tensor, array or list) as an array where ``like`` lives (one transfer at most)."""
    return to_device(mask.data if isinstance(mask, Tensor) else
                     mask if hasattr(mask, "dtype") else np.asarray(mask), device_of(like))


class MultiheadAttention(Module):
    """``MultiheadAttention(embed_dim, num_heads)(query, key, value)`` -> (output, weights);
    inputs (L, B, E), or (B, L, E) with ``batch_first``.  ``weights`` are the attention
    probabilities averaged over heads (B, L, S), returned for inspection (detached)."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 batch_first: bool = False):
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim {embed_dim} is not divisible by "
                             f"num_heads {num_heads}")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.batch_first = batch_first
        self.in_proj_weight = Parameter(empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = Parameter(zeros(3 * embed_dim)) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias)
        init.xavier_uniform_(self.in_proj_weight)
        if bias:
            init.zeros_(self.out_proj.bias)

    def _heads(self, x, part: int):
        """Project x (B, T, E) with rows ``part`` of the packed weights, as (B, H, T, E/H)."""
        e = self.embed_dim
        weight = self.in_proj_weight[part * e:(part + 1) * e]
        bias = self.in_proj_bias[part * e:(part + 1) * e] if self.in_proj_bias is not None \
            else None
        projected = F.linear(x, weight, bias)
        return projected.reshape(x.shape[0], x.shape[1], self.num_heads, -1).transpose(1, 2)

    def forward(self, query, key, value, key_padding_mask=None, need_weights: bool = True,
                attn_mask=None, average_attn_weights: bool = True, is_causal: bool = False):
        self._check_shapes(query, key, value, key_padding_mask, attn_mask)
        if not self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        batch, length, source = query.shape[0], query.shape[1], key.shape[1]
        q, k, v = self._heads(query, 0), self._heads(key, 1), self._heads(value, 2)
        mask = _mha_mask(attn_mask, key_padding_mask, batch, self.num_heads, length, source,
                         is_causal, q.data)
        heads = ScaledDotProductAttention.apply(
            q, k, v, mask, dropout_p=self.dropout if self.training else 0.0)
        joined = heads.transpose(1, 2).reshape(batch, length, self.embed_dim)
        output = self.out_proj(joined)
        if not self.batch_first:
            output = output.transpose(0, 1)
        weights = None
        if need_weights:  # for inspection: recomputed, outside the graph
            weights = Tensor._wrap(attention_weights(q.data, k.data, mask,
                                                     1 / math.sqrt(q.shape[-1])), None)
            weights = weights.mean(dim=1) if average_attn_weights else weights
        return output, weights

    def _check_shapes(self, query, key, value, key_padding_mask, attn_mask) -> None:
        """PyTorch's contract, on query (L, B, E) and key and value (S, B, E) (batch first
        with ``batch_first``): the same batch, key and value of one shape, E = embed_dim, masks
        (B, S) and (L, S) or (B·heads, L, S).  Broadcasting a wrong shape would compute
        something else silently."""
        order = "(B, L, E)" if self.batch_first else "(L, B, E) (batch_first=False)"

        def refuse(what):
            raise ShapeError(f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads="
                             f"{self.num_heads}): {what}; inputs are {order}")
        shapes = {n: tuple(t.shape) for n, t in (("query", query), ("key", key),
                                                 ("value", value))}
        if any(len(s) != 3 or s[2] != self.embed_dim for s in shapes.values()):
            refuse(f"query, key and value must be 3-D with {self.embed_dim} features; got "
                   f"{shapes}")
        if shapes["key"] != shapes["value"]:
            refuse(f"key {shapes['key']} and value {shapes['value']} must have the same shape")
        b, t = (0, 1) if self.batch_first else (1, 0)  # the batch and the time dims
        if shapes["query"][b] != shapes["key"][b]:
            refuse(f"query {shapes['query']} and key {shapes['key']} must have the same batch")
        batch, length, source = shapes["query"][b], shapes["query"][t], shapes["key"][t]
        if key_padding_mask is not None and tuple(np.shape(key_padding_mask)) != (batch, source):
            refuse(f"key_padding_mask must have shape (batch, source length) = "
                   f"{(batch, source)}; got {tuple(np.shape(key_padding_mask))}")
        allowed = ((length, source), (batch * self.num_heads, length, source))
        if attn_mask is not None and tuple(np.shape(attn_mask)) not in allowed:
            refuse(f"attn_mask must have shape {allowed[0]} or {allowed[1]}; got "
                   f"{tuple(np.shape(attn_mask))}")

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block, each with a residual connection and layer
    norm: ``x = norm1(x + sa(x)); x = norm2(x + ff(x))``, or with ``norm_first``
    ``x = x + sa(norm1(x)); x = x + ff(norm2(x))``.  PyTorch's defaults: dim_feedforward 2048,
    dropout 0.1, ReLU."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation="relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True):
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout, bias, batch_first)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)
        self.norm_first = norm_first
        self.activation = {"relu": F.relu, "gelu": F.gelu}.get(activation, activation)

    def _self_attention(self, x, mask, padding, is_causal):
        out = self.self_attn(x, x, x, key_padding_mask=padding, attn_mask=mask,
                             need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(out)

    def _feed_forward(self, x):
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal: bool = False):
        x = src
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._feed_forward(self.norm2(x))
        x = self.norm1(x + self._self_attention(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._feed_forward(x))


class TransformerEncoder(Module):
    """``num_layers`` independent copies of ``encoder_layer`` applied in turn, then ``norm``."""

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm=None):
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers, self.norm = num_layers, norm

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal: bool = False):
        x = src
        for layer in self.layers:
            x = layer(x, mask, src_key_padding_mask, is_causal)
        return self.norm(x) if self.norm is not None else x


class SinusoidalPositionalEncoding(Module):
    """Adds PE[t, 2i] = sin(t / 10000^{2i/d}), PE[t, 2i+1] = cos(t / 10000^{2i/d}) to a
    batch-first (B, T, d) input: fixed, so any position up to ``max_len`` gets a code."""

    def __init__(self, d_model: int, max_len: int = 5000):
        super().__init__()
        position = np.arange(max_len)[:, None]
        frequency = np.exp(np.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        table = np.zeros((max_len, d_model), np.float32)
        table[:, 0::2] = np.sin(position * frequency)
        table[:, 1::2] = np.cos(position * frequency)[:, :d_model // 2]
        self.register_buffer("pe", Tensor(table))

    def forward(self, x):
        check_positions(self, x, *self.pe.shape)
        return x + self.pe[:x.shape[1]]


class LearnedPositionalEncoding(Module):
    """Adds a learned vector per position (an embedding of t, initialized N(0, 1) like
    nn.Embedding) to a batch-first (B, T, d) input."""

    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        self.weight = Parameter(empty(max_len, d_model))
        init.normal_(self.weight)

    def forward(self, x):
        check_positions(self, x, *self.weight.shape)
        return x + F.embedding(arange(x.shape[1]), self.weight)


def check_positions(layer: Module, x, max_len: int, d_model: int) -> None:
    """A positional encoding has codes for ``max_len`` positions of ``d_model`` features: a
    longer or wider (B, T, d) input is an error naming both."""
    if x.ndim != 3 or x.shape[1] > max_len or x.shape[2] != d_model:
        raise ShapeError(f"{type(layer).__name__}(max_len={max_len}, d_model={d_model}): "
                         f"expected input (B, T, {d_model}) with T <= {max_len}; got "
                         f"{tuple(x.shape)}")
