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
from ..tensor_functions import where
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
    ``attn_mask``) forbids attending to later keys.  A ``key_padding_mask`` given as a Tensor
    is turned into its additive form with Tensor ops (it usually comes from the input, as
    ``tokens == 0``: so the ONNX export computes it too)."""
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
        padding = _additive_tensor(key_padding_mask, like) if \
            isinstance(key_padding_mask, Tensor) else additive(key_padding_mask)
        padding = padding[:, None, None, :]
        mask = padding if mask is None else padding + mask
    return mask


def _additive_tensor(mask: Tensor, like) -> Tensor:
    """A (B, S) padding mask Tensor as its additive form (-inf where True, for a boolean
    mask), in the queries' dtype and on their device, with Tensor ops."""
    mask = mask.to(device_of(like))
    if mask.dtype == bool:
        return where(mask, float("-inf"), 0.0).to(like.dtype)
    return mask.to(like.dtype)


def _on_device_of(like, mask):
    """A mask (Tensor, array or list) as an array where ``like`` lives (one transfer at most)."""
    return to_device(mask.array if isinstance(mask, Tensor) else
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
                         is_causal, q.array)
        heads = ScaledDotProductAttention.apply(
            q, k, v, mask, dropout_p=self.dropout if self.training else 0.0)
        joined = heads.transpose(1, 2).reshape(batch, length, self.embed_dim)
        output = self.out_proj(joined)
        if not self.batch_first:
            output = output.transpose(0, 1)
        weights = None
        if need_weights:  # for inspection: recomputed, outside the graph
            raw_mask = mask.array if isinstance(mask, Tensor) else mask
            weights = Tensor._wrap(attention_weights(q.array, k.array, raw_mask,
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


class _Block(Module):
    """What the encoder and decoder layers share: the feed-forward block
    linear2(dropout(activation(linear1(x)))), layer norms, dropouts, ``norm_first``."""

    def _build(self, d_model, dim_feedforward, dropout, activation, layer_norm_eps, norm_first,
               bias, count: int) -> None:
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        for k in range(1, count + 1):
            setattr(self, f"norm{k}", LayerNorm(d_model, eps=layer_norm_eps))
            setattr(self, f"dropout{k}", Dropout(dropout))
        self.norm_first = norm_first
        self.activation = {"relu": F.relu, "gelu": F.gelu}.get(activation, activation)

    def _feed_forward(self, x, last_dropout):
        return last_dropout(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    @staticmethod
    def _attend(attention, x, source, mask, padding, is_causal, dropout):
        out = attention(x, source, source, key_padding_mask=padding, attn_mask=mask,
                        need_weights=False, is_causal=bool(is_causal))[0]
        return dropout(out)

    def _residuals(self, x, blocks):
        """x + block(norm(x)) for each (norm, block) with ``norm_first``, else
        norm(x + block(x)): the two placements of layer norm."""
        for norm, block in blocks:
            x = x + block(norm(x)) if self.norm_first else norm(x + block(x))
        return x


class TransformerEncoderLayer(_Block):
    """Self-attention and a feed-forward block, each with a residual connection and layer
    norm: ``x = norm1(x + sa(x)); x = norm2(x + ff(x))``, or with ``norm_first``
    ``x = x + sa(norm1(x)); x = x + ff(norm2(x))``.  PyTorch's defaults: dim_feedforward 2048,
    dropout 0.1, ReLU."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation="relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True):
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout, bias, batch_first)
        self._build(d_model, dim_feedforward, dropout, activation, layer_norm_eps, norm_first,
                    bias, 2)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal: bool = False):
        return self._residuals(src, [
            (self.norm1, lambda x: self._attend(self.self_attn, x, x, src_mask,
                                                src_key_padding_mask, is_causal,
                                                self.dropout1)),
            (self.norm2, lambda x: self._feed_forward(x, self.dropout2))])


class TransformerDecoderLayer(_Block):
    """Masked self-attention over the target, attention to the encoder's output (``memory``)
    and a feed-forward block, each with a residual connection and layer norm (norm1..3).
    PyTorch's names, defaults and parameter layout."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation="relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True):
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout, bias, batch_first)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout, bias, batch_first)
        self._build(d_model, dim_feedforward, dropout, activation, layer_norm_eps, norm_first,
                    bias, 3)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal: bool = False,
                memory_is_causal: bool = False):
        return self._residuals(tgt, [
            (self.norm1, lambda x: self._attend(self.self_attn, x, x, tgt_mask,
                                                tgt_key_padding_mask, tgt_is_causal,
                                                self.dropout1)),
            (self.norm2, lambda x: self._attend(self.multihead_attn, x, memory, memory_mask,
                                                memory_key_padding_mask, memory_is_causal,
                                                self.dropout2)),
            (self.norm3, lambda x: self._feed_forward(x, self.dropout3))])


class _Stack(Module):
    """``num_layers`` independent copies of ``layer`` applied in turn, then ``norm``."""

    def __init__(self, layer, num_layers: int, norm=None):
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(layer) for _ in range(num_layers)])
        self.num_layers, self.norm = num_layers, norm

    def _finish(self, x):
        return self.norm(x) if self.norm is not None else x


class TransformerEncoder(_Stack):
    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal: bool = False):
        x = src
        for layer in self.layers:
            x = layer(x, mask, src_key_padding_mask, is_causal)
        return self._finish(x)


class TransformerDecoder(_Stack):
    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal: bool = False,
                memory_is_causal: bool = False):
        x = tgt
        for layer in self.layers:
            x = layer(x, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
                      memory_key_padding_mask, tgt_is_causal, memory_is_causal)
        return self._finish(x)


class Transformer(Module):
    """The encoder-decoder Transformer of "Attention Is All You Need", PyTorch's
    ``nn.Transformer``: ``forward(src, tgt, ...)`` encodes ``src`` and decodes ``tgt`` while
    attending to it.  Matrices are initialized Xavier-uniform, as PyTorch does."""

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation="relu", custom_encoder=None,
                 custom_decoder=None, layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True):
        super().__init__()
        options = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                   batch_first, norm_first, bias)
        self.encoder = custom_encoder or TransformerEncoder(
            TransformerEncoderLayer(*options), num_encoder_layers,
            LayerNorm(d_model, eps=layer_norm_eps))
        self.decoder = custom_decoder or TransformerDecoder(
            TransformerDecoderLayer(*options), num_decoder_layers,
            LayerNorm(d_model, eps=layer_norm_eps))
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal: bool = False):
        batch = 0 if self.batch_first else 1
        if src.shape[batch] != tgt.shape[batch] or src.shape[-1] != self.d_model or \
                tgt.shape[-1] != self.d_model:
            raise ShapeError(f"Transformer(d_model={self.d_model}): src {tuple(src.shape)} and "
                             f"tgt {tuple(tgt.shape)} need the same batch and {self.d_model} "
                             f"features")
        memory = self.encoder(src, src_mask, src_key_padding_mask, bool(src_is_causal))
        return self.decoder(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
                            memory_key_padding_mask, bool(tgt_is_causal), memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device=None, dtype=None):
        """The (sz, sz) additive causal mask: 0 on and below the diagonal, -inf above."""
        mask = np.triu(np.full((sz, sz), -np.inf, dtype=np.dtype(dtype or np.float32)), 1)
        return Tensor(mask, device=device)


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
