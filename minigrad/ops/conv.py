"""2-D convolution and pooling on (N, C, H, W) tensors, by im2col.

A convolution slides a (C, KH, KW) filter over the image; every output pixel is the dot
product of the filter with one window of the input.  im2col makes the whole batch one matrix
product:

1. ``window_rows``: a strided *view* of the padded input with shape (KH, KW, OH, OW, N, C)
   — every window of every image, without copying (no Python loop over pixels) — reshaped to
   one row per output pixel of every image: (OH·OW·N, KH·KW·C) (the copy);
2. rows @ W, with W reordered to (KH·KW·C, OC), gives every output pixel of every channel
   in one matrix product: (OH·OW·N, OC), which *is* the output (below).

Backward is the same product read the other way: dW = rowsᵀ · G, drows = G · Wᵀ, and
col2im adds every row's gradient back to the window it came from (``add_at_offsets``: a
loop over the KH·KW kernel offsets, each a strided slice of the whole batch).

Pooling uses the same kernel-offset slices: the output is an elementwise max (or mean) over
the KH·KW shifted slices, and backward routes the gradient back through the same slices.

Reading the windows (im2col) and adding values back into them (col2im) are linear maps, each
the other's transpose.  As ops of their own, ``Unfold`` and ``Fold``, each one's backward is
the other: that is what lets a convolution's or a pooling's backward be differentiated again
when the engine builds a graph of the gradient (``create_graph=True``).  On the ordinary
backward pass the same two functions run directly on arrays.

**Memory layout.** The tensors are (N, C, H, W) as in PyTorch, but the arrays behind them are
stored pixel-major, (H, W, N, C) in memory (like PyTorch's ``channels_last``): ``pixel_major``
is a transposed view, not a copy.  In that layout the GEMM's output (OH·OW·N, OC) needs no
reordering, a kernel offset's slice of the whole batch is a run of N·C contiguous numbers, and
the next convolution reads its input without a copy.  Values never depend on the layout.

Output size per spatial dim: ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1.
"""
from __future__ import annotations

import math

import numpy as np

from .. import kernels
from ..autograd import Function
from ..backend import array_module_of, as_strided, is_tensor
from ..errors import ShapeError


def pair(value) -> tuple[int, int]:
    """An int or a pair as (height, width)."""
    return (value, value) if isinstance(value, int) else tuple(value)


def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def pixel_major(x):
    """The (N, C, H, W) array x seen as (H, W, N, C), or back: the same transpose undoes
    itself.  A view: only the strides change."""
    return array_module_of(x).transpose(x, (2, 3, 0, 1))


def pad_pixels(image, padding: tuple, value=0.0):
    """A pixel-major (H, W, N, C) image with ``padding`` rows/columns of ``value`` around."""
    (ph, pw) = padding
    if ph == 0 and pw == 0:
        return image
    return array_module_of(image).pad(image, ((ph, ph), (pw, pw), (0, 0), (0, 0)),
                                      constant_values=value)


def crop_pixels(image, padding: tuple):
    (ph, pw) = padding
    return image[ph:image.shape[0] - ph, pw:image.shape[1] - pw]


def window_view(image, kernel: tuple, stride: tuple, dilation: tuple, out: tuple):
    """Every window of a pixel-major image without copying: the (KH, KW, OH, OW, N, C)
    strided view whose element [u, v, i, j, n, c] is image[s·i + d·u, s·j + d·v, n, c]."""
    sh, sw, sn, sc = image.strides
    return as_strided(image, kernel + out + image.shape[2:],
                      (sh * dilation[0], sw * dilation[1], sh * stride[0], sw * stride[1], sn, sc))


def window_rows(image, kernel: tuple, stride: tuple, dilation: tuple, out: tuple,
                ones_column: bool = False):
    """im2col: one row per output pixel of every image, (OH·OW·N, KH·KW·C): the windows
    (``window_view``) with the output axes moved first; copying them into the matrix is the
    only copy.

    The copy reads the image in runs as long as it can.  Row by row, each window's channels
    are a contiguous run of C numbers; with one channel (a grey image) that run is a single
    number, and the copy goes faster the other way round, as the transposed matrix (one column
    per output pixel, whose runs are the N images of the batch).  Either way the matrix
    product reads it as rows: only the memory order differs, and the GEMM takes both.

    With ``ones_column`` the matrix gets one more column, all ones: a bias is then just one
    more weight, applied to a constant input of 1, and the matrix product adds it (no extra
    pass over the output; in backward, the same product yields dL/db as that weight's
    gradient)."""
    xp = array_module_of(image)
    if is_tensor(image):  # building a graph: the same matrix from the differentiable Unfold
        windows = Unfold.apply(image, kernel=kernel, stride=stride, dilation=dilation, out=out)
        rows = xp.transpose(windows, (2, 3, 4, 0, 1, 5))
        rows = rows.reshape(math.prod(rows.shape[:3]), -1)
        if ones_column:
            rows = xp.concatenate([rows, xp.ones((rows.shape[0], 1), rows.dtype)], axis=1)
        return rows
    view = window_view(image, kernel, stride, dilation, out)  # (KH, KW, OH, OW, N, C)
    width = kernel[0] * kernel[1] * image.shape[3]
    count = view.size // width                                 # output pixels × images
    if image.shape[3] == 1:  # one channel: copied as columns, in runs of the batch
        windows = xp.moveaxis(view, 5, 2)                      # (KH, KW, C, OH, OW, N)
        columns = xp.empty((width + ones_column, count), dtype=image.dtype)
        columns[:width].reshape(windows.shape)[...] = windows
        rows = columns.T
    else:                    # in runs of C channels
        windows = xp.transpose(view, (2, 3, 4, 0, 1, 5))       # (OH, OW, N, KH, KW, C)
        rows = xp.empty((count, width + ones_column), dtype=image.dtype)
        rows[:, :width].reshape(windows.shape)[...] = windows
    if ones_column:
        rows[:, width] = 1
    return rows


def offset_slices(kernel: tuple, stride: tuple, dilation: tuple, out: tuple):
    """For each kernel offset (u, v): the (rows, cols) slices of the padded input that the
    offset touches across all output positions."""
    for u in range(kernel[0]):
        for v in range(kernel[1]):
            yield (u, v), (slice(u * dilation[0], u * dilation[0] + stride[0] * (out[0] - 1) + 1,
                                 stride[0]),
                           slice(v * dilation[1], v * dilation[1] + stride[1] * (out[1] - 1) + 1,
                                 stride[1]))


def tiles(padded_shape: tuple, kernel, stride, dilation, out) -> bool:
    """Whether the windows cover the image exactly once: every position in one window (as
    2×2 pooling with stride 2 does an image of even size)."""
    return all(s == k and d == 1 and o * k == size for k, s, d, o, size in
               zip(kernel, stride, dilation, out, padded_shape))


def add_at_offsets(per_offset, padded_shape: tuple, kernel, stride, dilation, out, dtype):
    """col2im: a pixel-major array of ``padded_shape`` with, for every kernel offset (u, v),
    the (OH, OW, N, C) gradient ``per_offset(u, v)`` added where that offset reads.  When the
    windows do not overlap (stride ≥ the window's extent) each position is written once, so
    the additions become plain assignments.  (Tensors, when a graph is being built: the
    offsets' values are stacked and added back by the differentiable ``Fold``.)"""
    first = per_offset(0, 0)
    if is_tensor(first):
        xp = array_module_of(first)
        stacked = xp.stack([first if (u, v) == (0, 0) else per_offset(u, v)
                            for u in range(kernel[0]) for v in range(kernel[1])])
        return Fold.apply(stacked.reshape(kernel + tuple(first.shape)), shape=padded_shape,
                          stride=stride, dilation=dilation)
    overlapping = any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))
    xp = array_module_of(first)
    grad = (xp.empty if tiles(padded_shape, kernel, stride, dilation, out) else xp.zeros)(
        padded_shape, dtype=dtype)
    for (u, v), (rows, cols) in offset_slices(kernel, stride, dilation, out):
        contribution = first if (u, v) == (0, 0) else per_offset(u, v)
        if overlapping:
            grad[rows, cols] += contribution
        else:
            grad[rows, cols] = contribution
    return grad


class Unfold(Function):
    """W = the windows of a pixel-major image, (KH, KW, OH, OW, N, C), copied out (im2col's
    values).   dL/dimage = Fold(G): each window's gradient added back where it was read."""

    def forward(ctx, image, kernel, stride, dilation, out):
        ctx.geometry = (image.shape, stride, dilation)
        return array_module_of(image).ascontiguousarray(
            window_view(image, kernel, stride, dilation, out))

    def backward(ctx, g):
        shape, stride, dilation = ctx.geometry
        return Fold.apply(g, shape=shape, stride=stride, dilation=dilation) if is_tensor(g) \
            else Fold.forward(Fold(), g, shape, stride, dilation)


class Fold(Function):
    """image = Σ over kernel offsets of the windows W (KH, KW, OH, OW, N, C) added where each
    offset reads (col2im).   dL/dW = Unfold(G): the gradient read back window by window."""

    def forward(ctx, windows, shape, stride, dilation):
        kernel, out = windows.shape[:2], windows.shape[2:4]
        ctx.geometry = (kernel, stride, dilation, out)
        return add_at_offsets(lambda u, v: windows[u, v], shape, kernel, stride, dilation, out,
                              windows.dtype)

    def backward(ctx, g):
        kernel, stride, dilation, out = ctx.geometry
        return Unfold.apply(g, kernel=kernel, stride=stride, dilation=dilation, out=out) \
            if is_tensor(g) else Unfold.forward(Unfold(), g, kernel, stride, dilation, out)


def check_window_settings(op: str, stride: tuple, padding: tuple, dilation: tuple) -> None:
    """PyTorch refuses a zero stride, negative padding and a zero dilation; so does minigrad,
    naming the op and the setting."""
    for name, values, low in (("stride", stride, 1), ("padding", padding, 0),
                              ("dilation", dilation, 1)):
        if any(v < low for v in values):
            raise ShapeError(f"{op}: {name} must be >= {low} in every dim; got {values}")


def window_geometry(op: str, x_shape: tuple, kernel: tuple, stride: tuple, padding: tuple,
              dilation: tuple) -> tuple:
    """The output's spatial size, after checking the settings (``check_window_settings``)."""
    check_window_settings(op, stride, padding, dilation)
    out = tuple(output_size(n, k, s, p, d) for n, k, s, p, d in
                zip(x_shape[2:], kernel, stride, padding, dilation))
    if min(out) < 1:
        raise ShapeError(f"{op}: input of spatial size {tuple(x_shape[2:])} is too small for "
                         f"kernel {kernel} with stride {stride}, padding {padding}, dilation "
                         f"{dilation} (output would be {out})")
    return out


def conv_rows(x, kernel, stride, padding, dilation, out, ones_column: bool):
    """The im2col matrix of an (N, C, H, W) input: padded, pixel-major, windows as rows."""
    return window_rows(pad_pixels(pixel_major(x), padding), kernel, stride, dilation, out,
                       ones_column)


def correlate(x, weight, bias, stride, padding, dilation):
    """Y = X ⋆ W + b by im2col and one matrix product: (Y as (N, OC, OH, OW), the rows).
    The bias is the weight of an extra column of ones in the rows."""
    kernel, n = weight.shape[2:], x.shape[0]
    out = window_geometry("conv2d", x.shape, kernel, stride, padding, dilation)
    rows = conv_rows(x, kernel, stride, padding, dilation, out,        # (OH·OW·N, KH·KW·C [+1])
                     ones_column=bias is not None)
    w_matrix = array_module_of(weight).transpose(weight, (2, 3, 1, 0)).reshape(
        -1, weight.shape[0])                                            # (KH·KW·C, OC)
    if bias is not None:  # the bias is the weight of the column of ones
        w_matrix = array_module_of(x).concatenate([w_matrix, bias[None, :]])
    y = rows @ w_matrix                                                 # (OH·OW·N, OC)
    return pixel_major(y.reshape(*out, n, weight.shape[0])), rows


def gradient_rows(g):
    """G = dL/dY (N, OC, OH, OW) as the (OH·OW·N, OC) matrix both weight and input gradients
    multiply (one copy, shared by the two)."""
    return array_module_of(g).ascontiguousarray(pixel_major(g)).reshape(-1, g.shape[1])


def correlate_input_grad(g, weight, size: tuple, stride, padding, dilation, g_rows=None):
    """dL/dX = col2im(G Wᵀ) for an input X of spatial ``size``, from G = dL/dY (N, OC, OH, OW):
    G Wᵀ in one matrix product, (OH·OW·N, KH·KW·C) — every window's gradient — each added
    back where its window read (the ``fold`` kernel, or ``add_at_offsets``)."""
    xp, (oc, c, kh, kw), out = array_module_of(g), weight.shape, tuple(g.shape[2:])
    g_rows = gradient_rows(g) if g_rows is None else g_rows
    w_rows = xp.transpose(weight, (0, 2, 3, 1)).reshape(oc, kh * kw * c)   # (OC, KH·KW·C)
    d_rows = (g_rows @ w_rows).reshape(*out, g.shape[0], kh, kw, c)
    padded = (size[0] + 2 * padding[0], size[1] + 2 * padding[1], g.shape[0], c)
    d_image = kernels.fold(d_rows, padded, stride, dilation)
    if d_image is None:
        d_image = add_at_offsets(lambda u, v: d_rows[:, :, :, u, v], padded, (kh, kw), stride,
                                 dilation, out, g.dtype)
    return pixel_major(crop_pixels(d_image, padding))


def correlate_weight_grad(x, g, rows, kernel, stride, padding, dilation, has_bias,
                          g_rows=None):
    """(dL/dW (OC, C, KH, KW), dL/db or None) = rowsᵀ G, whose last row (from the column of
    ones) is dL/db; the rows of x are formed again when not given (a graph being built)."""
    xp, oc, c = array_module_of(g), g.shape[1], x.shape[1]
    if rows is None:
        rows = conv_rows(x, kernel, stride, padding, dilation, tuple(g.shape[2:]), has_bias)
    g_rows = gradient_rows(g) if g_rows is None else g_rows            # (OH·OW·N, OC)
    d_w_matrix = rows.T @ g_rows               # (KH·KW·C [+1], OC)
    width = kernel[0] * kernel[1] * c
    dw = xp.transpose(d_w_matrix[:width].reshape(*kernel, c, oc), (3, 2, 0, 1))
    return dw, (d_w_matrix[-1] if has_bias else None)


def _check_channels(op: str, x, weight, bias, in_dim: int, out_dim: int) -> None:
    """Input channels must match the weight's dim ``in_dim``; a bias has the weight's
    ``out_dim`` size."""
    if x.ndim != 4 or weight.ndim != 4 or x.shape[1] != weight.shape[in_dim]:
        layout = "(out, in, kH, kW)" if in_dim == 1 else "(in, out, kH, kW)"
        raise ShapeError(f"{op}: input of shape {tuple(x.shape)} (N, C, H, W) and weight of "
                         f"shape {tuple(weight.shape)} {layout} need the same number of input "
                         f"channels")
    if bias is not None and tuple(bias.shape) != (weight.shape[out_dim],):
        raise ShapeError(f"{op}: bias must have shape (out_channels,) = "
                         f"{(weight.shape[out_dim],)} for weight {tuple(weight.shape)}; got "
                         f"{tuple(bias.shape)}")


class Conv2d(Function):
    """Y = X ⋆ W + b: Y[n, o, i, j] = b[o] + Σ_{c, u, v} W[o, c, u, v] · X̃[n, c, s·i + d·u,
    s·j + d·v] (X̃ the padded input), computed as rows @ W (module docstring), with b
    as W's extra row for the extra column of ones in the rows.
    dL/dW = rowsᵀ G,   dL/db = Σ G over (n, i, j) (that extra row of rowsᵀ G),
    dL/dX = col2im(G Wᵀ)."""

    def forward(ctx, x, weight, bias, stride, padding, dilation):
        _check_channels("conv2d", x, weight, bias, 1, 0)
        y, rows = correlate(x, weight, bias, stride, padding, dilation)
        ctx.save_for_backward(x, weight)
        ctx.cache_for_backward(rows)
        ctx.geometry = (stride, padding, dilation, bias is not None)
        return y

    def backward(ctx, g):
        (x, weight), (rows,) = ctx.saved, ctx.cached
        stride, padding, dilation, has_bias = ctx.geometry
        dx = dw = db = None
        g_rows = gradient_rows(g)
        if ctx.needs_input_grad[0]:
            dx = correlate_input_grad(g, weight, x.shape[2:], stride, padding, dilation, g_rows)
        if ctx.needs_input_grad[1] or ctx.needs_input_grad[2]:
            dw, db = correlate_weight_grad(x, g, rows, weight.shape[2:], stride, padding,
                                           dilation, has_bias, g_rows)
        return dx, dw, (db if ctx.needs_input_grad[2] else None)


class ConvTranspose2d(Function):
    """The transposed convolution: Y = the gradient a conv2d with weight W would send back to
    its input, given X as the gradient of its output (so it spreads each input pixel over a
    kernel-sized patch, stride s apart: an upsampling).  W is (in, out, kH, kW); the output
    size is (H − 1)s − 2p + d(k − 1) + output_padding + 1.

        Y = col2im(X Wᵀ) + b                      (conv2d's dL/dX formula, forward)
        dL/dX = G ⋆ W                             (a conv2d of G: the backward is a conv)
        dL/dW = conv2d's dL/dW with G as its input and X as its output gradient
        dL/db = Σ G over (n, i, j)
    """

    def forward(ctx, x, weight, bias, stride, padding, output_padding, dilation):
        _check_channels("conv_transpose2d", x, weight, bias, 0, 1)
        if any(op >= max(s, d) or op < 0 for op, s, d in zip(output_padding, stride, dilation)):
            raise ShapeError(f"conv_transpose2d: output_padding {output_padding} must be "
                             f"non-negative and smaller than stride {stride} or dilation "
                             f"{dilation}")
        check_window_settings("conv_transpose2d", stride, padding, dilation)
        size = tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in
                     zip(x.shape[2:], stride, padding, dilation, weight.shape[2:],
                         output_padding))
        if min(size) < 1:
            raise ShapeError(f"conv_transpose2d: input of spatial size {tuple(x.shape[2:])} "
                             f"gives an empty output {size}")
        y = correlate_input_grad(x, weight, size, stride, padding, dilation)
        ctx.save_for_backward(x, weight)
        ctx.geometry = (stride, padding, dilation)
        return y if bias is None else y + bias[:, None, None]

    def backward(ctx, g):
        x, weight = ctx.saved
        stride, padding, dilation = ctx.geometry
        dx = dw = db = None
        if ctx.needs_input_grad[0]:
            dx = correlate(g, weight, None, stride, padding, dilation)[0]
        if ctx.needs_input_grad[1]:
            dw, _ = correlate_weight_grad(g, x, None, weight.shape[2:], stride, padding,
                                          dilation, False)
        if ctx.needs_input_grad[2]:
            db = g.sum(axis=(0, 2, 3))
        return dx, dw, db


class MaxPool2d(Function):
    """Y[n, c, i, j] = max over the window of X̃ (padding counts as -inf), a running maximum
    over the KH·KW kernel offsets that also records which offset won.  dL/dX = G routed to
    the position of each window's maximum (the first offset that attains it on ties, as
    PyTorch), summed where windows overlap."""

    def forward(ctx, x, kernel, stride, padding, dilation):
        xp = array_module_of(x)
        out = window_geometry("max_pool2d", x.shape, kernel, stride, padding, dilation)
        image = pad_pixels(pixel_major(x), padding, value=-np.inf)
        ctx.geometry = (image.shape, kernel, stride, padding, dilation, out)
        fused = kernels.max_pool(image, kernel, stride, dilation, out)
        if fused is not None:  # one pass: each window read once, its winner recorded
            best, winner = fused
            ctx.save_for_backward(winner)
            return pixel_major(best)
        best = winner = None
        for k, (_, (rows, cols)) in enumerate(offset_slices(kernel, stride, dilation, out)):
            candidate = image[rows, cols]
            if best is None:
                best = xp.array(candidate)       # a contiguous copy
                winner = xp.zeros(best.shape, dtype=np.min_scalar_type(kernel[0] * kernel[1]))
                continue
            # winner = the last offset that beat every earlier one (strictly: ties keep the
            # earlier offset); offsets count up, so that is the largest k with better_k
            better = candidate > best
            xp.maximum(winner, better * winner.dtype.type(k), out=winner)
            xp.maximum(best, candidate, out=best)
        ctx.save_for_backward(winner)
        return pixel_major(best)

    def backward(ctx, g):
        (winner,) = ctx.saved
        image_shape, kernel, stride, padding, dilation, out = ctx.geometry
        g = array_module_of(g).ascontiguousarray(pixel_major(g))  # in winner's layout
        fused = kernels.max_pool_backward(g, winner, image_shape, kernel, stride, dilation,
                                          tiles(image_shape, kernel, stride, dilation, out))
        if fused is not None:
            return pixel_major(crop_pixels(fused, padding))

        def routed(u, v):  # the gradient of the windows whose maximum sat at offset (u, v)
            return g * (winner == u * kernel[1] + v)
        return pixel_major(crop_pixels(add_at_offsets(routed, image_shape, kernel, stride,
                                                      dilation, out, g.dtype), padding))


class AvgPool2d(Function):
    """Y[n, c, i, j] = mean over the KH·KW window of X̃ (zero padding included in the count,
    PyTorch's default).   dL/dX = G / (KH·KW) added to every position of each window."""

    def forward(ctx, x, kernel, stride, padding):
        out = window_geometry("avg_pool2d", x.shape, kernel, stride, padding, (1, 1))
        image = pad_pixels(pixel_major(x), padding)
        ctx.geometry = (image.shape, kernel, stride, padding, out)
        total = sum(image[rows, cols]
                    for _, (rows, cols) in offset_slices(kernel, stride, (1, 1), out))
        return pixel_major(total / (kernel[0] * kernel[1]))

    def backward(ctx, g):
        image_shape, kernel, stride, padding, out = ctx.geometry
        share = pixel_major(g) / (kernel[0] * kernel[1])
        return pixel_major(crop_pixels(add_at_offsets(lambda u, v: share, image_shape, kernel,
                                                      stride, (1, 1), out, g.dtype), padding))
