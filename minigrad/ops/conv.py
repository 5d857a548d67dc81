"""2-D convolution and pooling on (N, C, H, W) tensors, by im2col.

A convolution slides a (C, KH, KW) filter over the image; every output pixel is the dot
product of the filter with one window of the input.  im2col makes that one matrix product:

1. ``windows``: a strided *view* of the padded input with shape (N, OH, OW, C, KH, KW) — every
   window of every image, without copying (no Python loop over pixels);
2. reshape it to a matrix of patches, one row per output pixel: (N·OH·OW, C·KH·KW);
3. patches @ Wᵀ with W reshaped to (OC, C·KH·KW) gives every output pixel of every channel.

Backward is the same product read the other way: dW = Gᵀ · patches, dpatches = G · W, and
col2im adds each patch's gradient back to the window it came from (``add_windows``: a loop over
the KH·KW kernel offsets, each a strided slice of the whole batch).  Output size per spatial
dim: ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1.
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


def windows(x, kernel: tuple, stride: tuple, dilation: tuple, out: tuple):
    """The (N, C, OH, OW, KH, KW) strided view of every window of an (N, C, H, W) array."""
    sn, sc, sh, sw = x.strides
    shape = x.shape[:2] + out + kernel
    strides = (sn, sc, sh * stride[0], sw * stride[1], sh * dilation[0], sw * dilation[1])
    return as_strided(x, shape, strides)


def add_windows(grad_windows, padded_shape: tuple, stride: tuple, dilation: tuple):
    """col2im: an (N, C, H, W) array where each window's gradient (from an (N, C, OH, OW, KH,
    KW) array) is added back at the positions the window covered."""
    xp = array_module_of(grad_windows)
    grad = xp.zeros(padded_shape, dtype=grad_windows.dtype)
    _, _, oh, ow, kh, kw = grad_windows.shape
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dilation[0], i * dilation[0] + stride[0] * (oh - 1) + 1, stride[0])
            cols = slice(j * dilation[1], j * dilation[1] + stride[1] * (ow - 1) + 1, stride[1])
            grad[:, :, rows, cols] += grad_windows[:, :, :, :, i, j]
    return grad


def crop(x, padding: tuple):
    (ph, pw) = padding
    return x[:, :, ph:x.shape[2] - ph, pw:x.shape[3] - pw]


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
    s·j + d·v] (X̃ the padded input), computed as patches @ Wᵀ (module docstring).
    dL/dW = Gᵀ patches,   dL/db = Σ G over (n, i, j),   dL/dX = col2im(G W)."""

    def forward(ctx, x, weight, bias, stride, padding, dilation):
        if x.ndim != 4 or weight.ndim != 4 or x.shape[1] != weight.shape[1]:
            raise ValueError(f"conv2d: input of shape {tuple(x.shape)} (N, C, H, W) and weight "
                             f"of shape {tuple(weight.shape)} (out, in, kH, kW) need the same "
                             f"number of input channels")
        kernel = weight.shape[2:]
        out = _geometry("conv2d", x.shape, kernel, stride, padding, dilation)
        padded = pad_spatial(x, padding)
        view = windows(padded, kernel, stride, dilation, out)           # (N, C, OH, OW, KH, KW)
        patches = view.transpose(0, 2, 3, 1, 4, 5).reshape(-1, int(np.prod(weight.shape[1:])))
        w_matrix = weight.reshape(weight.shape[0], -1)                  # (OC, C·KH·KW)
        y = patches @ w_matrix.T                                        # (N·OH·OW, OC)
        if bias is not None:
            y += bias
        ctx.save_for_backward(patches, w_matrix)
        ctx.geometry = (x.shape, padded.shape, weight.shape, stride, padding, dilation, out)
        return y.reshape(x.shape[0], *out, -1).transpose(0, 3, 1, 2)

    def backward(ctx, g):
        patches, w_matrix = ctx.saved
        x_shape, padded_shape, w_shape, stride, padding, dilation, out = ctx.geometry
        g_rows = g.transpose(0, 2, 3, 1).reshape(-1, w_shape[0])       # (N·OH·OW, OC)
        dx = dw = db = None
        if ctx.needs_input_grad[0]:
            g_patches = (g_rows @ w_matrix).reshape(x_shape[0], *out, *w_shape[1:])
            g_windows = g_patches.transpose(0, 3, 1, 2, 4, 5)           # (N, C, OH, OW, KH, KW)
            dx = crop(add_windows(g_windows, padded_shape, stride, dilation), padding)
        if ctx.needs_input_grad[1]:
            dw = (g_rows.T @ patches).reshape(w_shape)
        if ctx.needs_input_grad[2]:
            db = g_rows.sum(axis=0)
        return dx, dw, db


class MaxPool2d(Function):
    """Y[n, c, i, j] = max over the window of X̃ (padding counts as -inf).
    dL/dX = G routed to the position of each window's maximum (the first one on ties, as
    PyTorch), summed where windows overlap."""

    def forward(ctx, x, kernel, stride, padding, dilation):
        out = _geometry("max_pool2d", x.shape, kernel, stride, padding, dilation)
        padded = pad_spatial(x, padding, value=-np.inf)
        flat = windows(padded, kernel, stride, dilation, out).reshape(*x.shape[:2], *out, -1)
        ctx.argmax = flat.argmax(axis=-1)
        ctx.geometry = (padded.shape, kernel, stride, padding, dilation)
        return array_module_of(x).take_along_axis(flat, ctx.argmax[..., None], -1)[..., 0]

    def backward(ctx, g):
        padded_shape, kernel, stride, padding, dilation = ctx.geometry
        xp = array_module_of(g)
        g_windows = xp.zeros(g.shape + (kernel[0] * kernel[1],), dtype=g.dtype)
        xp.put_along_axis(g_windows, ctx.argmax[..., None], g[..., None], -1)
        g_windows = g_windows.reshape(g.shape + kernel)
        return crop(add_windows(g_windows, padded_shape, stride, dilation), padding)


class AvgPool2d(Function):
    """Y[n, c, i, j] = mean over the KH·KW window of X̃ (zero padding included in the count,
    PyTorch's default).   dL/dX = G / (KH·KW) spread over each window, summed on overlaps."""

    def forward(ctx, x, kernel, stride, padding):
        out = _geometry("avg_pool2d", x.shape, kernel, stride, padding, (1, 1))
        padded = pad_spatial(x, padding)
        ctx.geometry = (padded.shape, kernel, stride, padding)
        return windows(padded, kernel, stride, (1, 1), out).mean(axis=(-2, -1))

    def backward(ctx, g):
        padded_shape, kernel, stride, padding = ctx.geometry
        share = g / (kernel[0] * kernel[1])
        g_windows = array_module_of(g).broadcast_to(share[..., None, None], g.shape + kernel)
        return crop(add_windows(g_windows, padded_shape, stride, (1, 1)), padding)
