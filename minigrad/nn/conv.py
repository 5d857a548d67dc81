"""Convolution and pooling layers on (N, C, H, W) images (formulas in minigrad.ops.conv)."""
from __future__ import annotations

import math

from .. import functional as F
from ..creation import empty
from ..ops.conv import pair
from . import init
from .module import Module, Parameter


class _Conv(Module):
    """What every convolution layer shares: ``out_channels`` filters over ``in_channels /
    groups`` channels each, PyTorch's parameter layout and initialization:
    W, b ~ U(-1/√fan_in, 1/√fan_in) with fan_in = W.shape[1]·(kernel size) (kaiming uniform
    with a = √5).  Subclasses set the number of spatial ``dims`` and whether the layer is
    ``transposed`` (weight (in, out/groups, k...) instead of (out, in/groups, k...))."""

    dims, transposed = 2, False

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, dtype=None):
        super().__init__()
        for name, count in (("in_channels", in_channels), ("out_channels", out_channels)):
            if groups < 1 or count % groups:
                raise ValueError(f"{type(self).__name__}: {name}={count} must be divisible by "
                                 f"groups={groups}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride = self._tuple(kernel_size), self._tuple(stride)
        self.padding, self.dilation = self._tuple(padding), self._tuple(dilation)
        self.output_padding = self._tuple(0)
        rows, cols = (in_channels, out_channels // groups) if self.transposed else \
            (out_channels, in_channels // groups)
        self.weight = Parameter(empty(rows, cols, *self.kernel_size, dtype=dtype))
        self.bias = Parameter(empty(out_channels, dtype=dtype)) if bias else None
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(cols * math.prod(self.kernel_size))
            init.uniform_(self.bias, -bound, bound)

    def _tuple(self, value) -> tuple:
        return (value,) * self.dims if isinstance(value, int) else tuple(value)

    def _check_input(self, x) -> None:
        if x.ndim != self.dims + 2 or x.shape[1] != self.in_channels:
            spatial = "H, W" if self.dims == 2 else "L"
            raise ValueError(f"{self!r}: expected input of shape (N, {self.in_channels}, "
                             f"{spatial}), got {tuple(x.shape)}")

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        zeros, ones = (0,) * self.dims, (1,) * self.dims
        for name, default in (("padding", zeros), ("output_padding", zeros),
                              ("dilation", ones)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + ("" if self.bias is not None else ", bias=False")


class Conv2d(_Conv):
    """2-D convolution (cross-correlation) of (N, C, H, W) images."""

    def forward(self, x):
        self._check_input(x)
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)


class Conv1d(_Conv):
    """1-D convolution of (N, C, L) sequences."""

    dims = 1

    def forward(self, x):
        self._check_input(x)
        return F.conv1d(x, self.weight, self.bias, self.stride[0], self.padding[0],
                        self.dilation[0], self.groups)


class ConvTranspose2d(_Conv):
    """2-D transposed convolution (learnable upsampling) of (N, C, H, W) images: output size
    (H − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1."""

    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, dtype)
        self.output_padding = self._tuple(output_padding)

    def forward(self, x):
        self._check_input(x)
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding, self.groups, self.dilation)


class MaxPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride or kernel_size
        self.padding, self.dilation = padding, dilation

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}")


class AvgPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride or kernel_size, padding

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Global average pooling: each channel's mean (output size 1 only)."""

    def __init__(self, output_size=1):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
