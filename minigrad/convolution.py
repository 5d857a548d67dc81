"""Convolutions in PyTorch's functional spelling, all built on two ops: ``Conv2d`` and
``ConvTranspose2d`` (``minigrad.ops.conv``), and the window ops ``Unfold``/``Fold``.

- ``conv1d`` is ``conv2d`` on images of height 1.
- ``groups=g`` splits the channels into g independent convolutions (each input group sees
  only its own filters), run one after another and joined; ``groups = in_channels`` is the
  depthwise convolution.  (One im2col per group: simple and exact, not the fastest way.)
- ``unfold`` (im2col) and ``fold`` (col2im) expose the window matrices themselves: a
  convolution is ``weight.view(out, -1) @ unfold(x)``.
"""
from __future__ import annotations

from .errors import ShapeError
from .ops.conv import ConvTranspose2d, Conv2d, Fold, Unfold, window_geometry, pair
from .ops.shape import Pad
from .tensor import Tensor
from .tensor_functions import cat


def _groups(op: str, groups: int, channels: int, weight: Tensor, weight_dim: int) -> None:
    """``groups`` must divide the input channels and the weight's output-side dim."""
    if groups < 1 or channels % groups or weight.shape[weight_dim] % groups:
        raise ShapeError(f"{op}: groups={groups} must be positive and divide the input's "
                         f"{channels} channels and the weight's dim {weight_dim} "
                         f"({weight.shape[weight_dim]}); weight shape {tuple(weight.shape)}")


def _grouped(run, x: Tensor, weight: Tensor, bias, groups: int, weight_split_dim: int):
    """``run(x_k, weight_k, bias_k)`` on each of ``groups`` slices, joined along channels."""
    if groups == 1:
        return run(x, weight, bias)
    xs = x.chunk(groups, 1)
    ws = weight.chunk(groups, weight_split_dim)
    bs = bias.chunk(groups, 0) if bias is not None else [None] * groups
    return cat([run(*parts) for parts in zip(xs, ws, bs)], 1)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D cross-correlation of (N, C, H, W) inputs with (out, C/groups, kH, kW) filters
    (PyTorch's conv2d), by im2col and one matrix product per group."""
    _groups("conv2d", groups, input.shape[1] if input.ndim == 4 else -1, weight, 0)
    if input.ndim == 4 and input.shape[1] != weight.shape[1] * groups:
        raise ShapeError(f"conv2d: input of shape {tuple(input.shape)} has {input.shape[1]} "
                         f"channels; weight {tuple(weight.shape)} with groups={groups} "
                         f"expects {weight.shape[1] * groups}")
    return _grouped(lambda x, w, b: Conv2d.apply(x, w, b, stride=pair(stride),
                                                 padding=pair(padding),
                                                 dilation=pair(dilation)),
                    input, weight, bias, groups, 0)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int = 1,
           padding: int = 0, dilation: int = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation of (N, C, L) inputs with (out, C/groups, k) filters: conv2d
    on (N, C, 1, L) images with (out, C/groups, 1, k) filters."""
    if input.ndim != 3 or weight.ndim != 3:
        raise ShapeError(f"conv1d: expected input (N, C, L) and weight (out, in, k); got "
                         f"{tuple(input.shape)} and {tuple(weight.shape)}")
    out = conv2d(input.unsqueeze(2), weight.unsqueeze(2), bias, (1, stride), (0, padding),
                 (1, dilation), groups)
    return out.squeeze(2)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The transposed convolution (a learnable upsampling) of (N, C, H, W) inputs with
    (C, out/groups, kH, kW) weights: conv2d's input gradient run forward (see
    ``ops.conv.ConvTranspose2d``; its backward is a conv2d)."""
    _groups("conv_transpose2d", groups, input.shape[1] if input.ndim == 4 else -1, weight, 0)
    return _grouped(lambda x, w, b: ConvTranspose2d.apply(
        x, w, b, stride=pair(stride), padding=pair(padding),
        output_padding=pair(output_padding), dilation=pair(dilation)),
        input, weight, bias, groups, 0)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """im2col: (N, C, H, W) -> (N, C·kH·kW, L), one column per window position (L of them),
    rows ordered (channel, kernel row, kernel column) as PyTorch.  Differentiable: its
    backward is ``fold``."""
    if input.ndim != 4:
        raise ShapeError(f"unfold: expected a 4-D input (N, C, H, W), got {tuple(input.shape)}")
    kernel, stride, padding, dilation = (pair(v) for v in (kernel_size, stride, padding,
                                                           dilation))
    out = window_geometry("unfold", input.shape, kernel, stride, padding, dilation)
    padded = _pad2(input, padding)
    windows = Unfold.apply(padded.permute(2, 3, 0, 1), kernel=kernel, stride=stride,
                           dilation=dilation, out=out)               # (kH, kW, OH, OW, N, C)
    n, c = input.shape[:2]
    return windows.permute(4, 5, 0, 1, 2, 3).reshape(n, c * kernel[0] * kernel[1], -1)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """col2im: (N, C·kH·kW, L) columns -> (N, C, H, W), each column's values added back at
    the window it describes (overlaps sum).  ``fold(unfold(x))`` multiplies each pixel by the
    number of windows covering it.  Differentiable: its backward is ``unfold``."""
    size, kernel, stride, padding, dilation = (pair(v) for v in (
        output_size, kernel_size, stride, padding, dilation))
    out = window_geometry("fold", (0, 0) + size, kernel, stride, padding, dilation)
    per_channel = kernel[0] * kernel[1]
    if input.ndim != 3 or input.shape[1] % per_channel or input.shape[2] != out[0] * out[1]:
        raise ShapeError(f"fold: input {tuple(input.shape)} must be (N, C·{per_channel}, "
                         f"{out[0] * out[1]}) for output_size {size}, kernel {kernel}, stride "
                         f"{stride}, padding {padding}, dilation {dilation}")
    n, c = input.shape[0], input.shape[1] // per_channel
    windows = input.reshape(n, c, *kernel, *out).permute(2, 3, 4, 5, 0, 1)
    padded = (size[0] + 2 * padding[0], size[1] + 2 * padding[1], n, c)
    image = Fold.apply(windows, shape=padded, stride=stride, dilation=dilation).permute(
        2, 3, 0, 1)
    return image[:, :, padding[0]:padded[0] - padding[0], padding[1]:padded[1] - padding[1]]


def _pad2(x: Tensor, padding: tuple) -> Tensor:
    """x with ``padding`` (rows, columns) of zeros around its last two dims."""
    if padding == (0, 0):
        return x
    return Pad.apply(x, pad=(padding[1], padding[1], padding[0], padding[0]))
