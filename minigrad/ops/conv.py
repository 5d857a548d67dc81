"""2-D convolution and pooling on (N, C, H, W) tensors, by im2col.

A convolution slides a (C, KH, KW) filter over the image; every output pixel is the dot
product of the filter with one window of the input.  im2col makes the whole batch one matrix
product:

1. ``windows``: a strided *view* of the padded input with shape (N, C, KH, KW, OH, OW) — every
   window of every image, without copying (no Python loop over pixels);
2. reshape it to columns, one per output pixel of every image: (C·KH·KW, N·OH·OW) (the copy);
3. W @ columns with W reshaped to (OC, C·KH·KW) gives every output pixel of every channel in
   one matrix product: (OC, N·OH·OW), then reordered to (N, OC, OH, OW).

Backward is the same product read the other way: dW = G · columnsᵀ, dcolumns = Wᵀ · G, and
col2im adds every column's gradient back to the window it came from (``add_at_offsets``: a loop
over the KH·KW kernel offsets, each a strided slice of the whole batch).

Pooling uses the same kernel-offset view: the output is an elementwise max (or mean) over the
KH·KW shifted slices, and backward routes the gradient back through the same slices.

Output size per spatial dim: ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import array_module_of, as_strided


def pair(value) -> tuple[int, int]:
    """An int or a pair as (height, width)."""
    return (value, value) if isinstance(value, int) else tuple(value)


def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def pad_spatial(x, padding: tuple, value=0.0):
    """x with ``padding`` rows/columns of ``value`` on both sides of H and W."""
    (ph, pw) = padding
    if ph == 0 and pw == 0:
        return x
    widths = ((0, 0), (0, 0), (ph, ph), (pw, pw))
    return array_module_of(x).pad(x, widths, constant_values=value)


def crop(x, padding: tuple):
    (ph, pw) = padding
    return x[:, :, ph:x.shape[2] - ph, pw:x.shape[3] - pw]


def windows(x, kernel: tuple, stride: tuple, dilation: tuple, out: tuple):
    """The (N, C, KH, KW, OH, OW) strided view of every window of an (N, C, H, W) array:
    element [n, c, u, v, i, j] is x[n, c, s·i + d·u, s·j + d·v]."""
    sn, sc, sh, sw = x.strides
    shape = x.shape[:2] + kernel + out
    strides = (sn, sc, sh * dilation[0], sw * dilation[1], sh * stride[0], sw * stride[1])
    return as_strided(x, shape, strides)


def offset_slices(kernel: tuple, stride: tuple, dilation: tuple, out: tuple):
    """For each kernel offset (u, v): the (rows, cols) slices of the padded input that the
    offset touches across all output positions."""
    for u in range(kernel[0]):
        for v in range(kernel[1]):
            yield (u, v), (slice(u * dilation[0], u * dilation[0] + stride[0] * (out[0] - 1) + 1,
                                 stride[0]),
                           slice(v * dilation[1], v * dilation[1] + stride[1] * (out[1] - 1) + 1,
                                 stride[1]))


def add_at_offsets(per_offset, padded_shape: tuple, kernel, stride, dilation, out, dtype):
    """col2im: an array of ``padded_shape`` with, for every kernel offset (u, v), the
    (N, C, OH, OW) gradient ``per_offset(u, v)`` added where that offset reads."""
    if tuple(stride) == tuple(kernel) and tuple(dilation) == (1, 1):
        return _tile_offsets(per_offset, padded_shape, kernel, out)
    grad = None
    for (u, v), (rows, cols) in offset_slices(kernel, stride, dilation, out):
        contribution = per_offset(u, v)
        if grad is None:
            grad = array_module_of(contribution).zeros(padded_shape, dtype=dtype)
        grad[:, :, rows, cols] += contribution
    return grad


def _tile_offsets(per_offset, padded_shape: tuple, kernel, out):
    """add_at_offsets when windows tile the input without overlap (stride = kernel): each
    input position belongs to one window, so the result is the offsets' gradients interleaved
    — one stack and one reordering copy instead of KH·KW strided additions."""
    parts = [[per_offset(u, v) for v in range(kernel[1])] for u in range(kernel[0])]
    xp = array_module_of(parts[0][0])
    tiles = xp.stack([xp.stack(row, axis=-1) for row in parts], axis=-3)  # (N, C, OH, KH, OW, KW)
    grad = tiles.reshape(*padded_shape[:2], out[0] * kernel[0], out[1] * kernel[1])
    missing = (padded_shape[2] - grad.shape[2], padded_shape[3] - grad.shape[3])
    if missing != (0, 0):  # rows/columns past the last full window receive nothing
        grad = xp.pad(grad, ((0, 0), (0, 0), (0, missing[0]), (0, missing[1])))
    return grad


def _geometry(op: str, x_shape: tuple, kernel: tuple, stride: tuple, padding: tuple,
              dilation: tuple) -> tuple:
    out = tuple(output_size(n, k, s, p, d) for n, k, s, p, d in
                zip(x_shape[2:], kernel, stride, padding, dilation))
    if min(out) < 1:
        raise ValueError(f"{op}: input of spatial size {tuple(x_shape[2:])} is too small for "
                         f"kernel {kernel} with stride {stride}, padding {padding}, dilation "
                         f"{dilation} (output would be {out})")
    return out


class Conv2d(Function):
    """Y = X ⋆ W + b: Y[n, o, i, j] = b[o] + Σ_{c, u, v} W[o, c, u, v] · X̃[n, c, s·i + d·u,
    s·j + d·v] (X̃ the padded input), computed as W @ columns (module docstring).
    dL/dW = G columnsᵀ,   dL/db = Σ G over (n, i, j),   dL/dX = col2im(Wᵀ G)."""

    def forward(ctx, x, weight, bias, stride, padding, dilation):
        if x.ndim != 4 or weight.ndim != 4 or x.shape[1] != weight.shape[1]:
            raise ValueError(f"conv2d: input of shape {tuple(x.shape)} (N, C, H, W) and weight "
                             f"of shape {tuple(weight.shape)} (out, in, kH, kW) need the same "
                             f"number of input channels")
        xp, kernel, n = array_module_of(x), weight.shape[2:], x.shape[0]
        out = _geometry("conv2d", x.shape, kernel, stride, padding, dilation)
        padded = pad_spatial(x, padding)
        # columns: one per output pixel of every image, (C·KH·KW, N·OH·OW), so that the whole
        # batch is a single matrix product
        view = windows(padded, kernel, stride, dilation, out)             # (N, C, KH, KW, OH, OW)
        columns = view.transpose(1, 2, 3, 0, 4, 5).reshape(-1, n * out[0] * out[1])
        w_matrix = weight.reshape(weight.shape[0], -1)                      # (OC, C·KH·KW)
        y = w_matrix @ columns                                              # (OC, N·OH·OW)
        if bias is not None:
            y += bias[:, None]
        ctx.save_for_backward(columns, w_matrix)
        ctx.geometry = (padded.shape, weight.shape, stride, padding, dilation, out)
        return xp.ascontiguousarray(y.reshape(-1, n, *out).transpose(1, 0, 2, 3))

    def backward(ctx, g):
        columns, w_matrix = ctx.saved
        padded_shape, w_shape, stride, padding, dilation, out = ctx.geometry
        xp = array_module_of(g)
        g_rows = xp.ascontiguousarray(g.transpose(1, 0, 2, 3)).reshape(w_shape[0], -1)
        dx = dw = db = None
        if ctx.needs_input_grad[0]:  # (C, KH, KW, N, OH, OW), added back channel-first
            d_columns = (w_matrix.T @ g_rows).reshape(*w_shape[1:], g.shape[0], *out)
            channel_first = (padded_shape[1], padded_shape[0]) + padded_shape[2:]
            d_padded = add_at_offsets(lambda u, v: d_columns[:, u, v], channel_first,
                                      w_shape[2:], stride, dilation, out, g.dtype)
            dx = crop(d_padded.transpose(1, 0, 2, 3), padding)
        if ctx.needs_input_grad[1]:
            dw = (g_rows @ columns.T).reshape(w_shape)
        if ctx.needs_input_grad[2]:
            db = g_rows.sum(axis=1)
        return dx, dw, db


class MaxPool2d(Function):
    """Y[n, c, i, j] = max over the window of X̃ (padding counts as -inf), a running maximum
    over the KH·KW kernel offsets.  dL/dX = G routed to the position of each window's maximum
    (the first offset that attains it on ties, as PyTorch), summed where windows overlap."""

    def forward(ctx, x, kernel, stride, padding, dilation):
        xp = array_module_of(x)
        out = _geometry("max_pool2d", x.shape, kernel, stride, padding, dilation)
        padded = pad_spatial(x, padding, value=-np.inf)
        best = None
        for _, (rows, cols) in offset_slices(kernel, stride, dilation, out):
            candidate = padded[:, :, rows, cols]
            best = candidate.copy() if best is None else xp.maximum(best, candidate)
        ctx.save_for_backward(padded, best)
        ctx.geometry = (padded.shape, kernel, stride, padding, dilation, out)
        return best

    def backward(ctx, g):
        padded, best = ctx.saved
        padded_shape, kernel, stride, padding, dilation, out = ctx.geometry
        taken = array_module_of(g).zeros(best.shape, dtype=bool)
        slices = dict(offset_slices(kernel, stride, dilation, out))

        def first_maximum(u, v):
            rows, cols = slices[(u, v)]
            hit = (padded[:, :, rows, cols] == best) & ~taken
            taken[...] |= hit
            return g * hit
        return crop(add_at_offsets(first_maximum, padded_shape, kernel, stride, dilation, out,
                                   g.dtype), padding)


class AvgPool2d(Function):
    """Y[n, c, i, j] = mean over the KH·KW window of X̃ (zero padding included in the count,
    PyTorch's default).   dL/dX = G / (KH·KW) added to every position of each window."""

    def forward(ctx, x, kernel, stride, padding):
        out = _geometry("avg_pool2d", x.shape, kernel, stride, padding, (1, 1))
        padded = pad_spatial(x, padding)
        ctx.geometry = (padded.shape, kernel, stride, padding, out)
        total = sum(padded[:, :, rows, cols]
                    for _, (rows, cols) in offset_slices(kernel, stride, (1, 1), out))
        return total / (kernel[0] * kernel[1])

    def backward(ctx, g):
        padded_shape, kernel, stride, padding, out = ctx.geometry
        share = g / (kernel[0] * kernel[1])
        return crop(add_at_offsets(lambda u, v: share, padded_shape, kernel, stride, (1, 1),
                                   out, g.dtype), padding)
