"""Residual connections (seed 003 names them): a block learns a correction F(x) added to its
input, y = relu(F(x) + shortcut(x)), so gradients reach early layers through the identity path
undiminished and deep stacks train."""
from __future__ import annotations

from .. import functional as F
from .containers import Sequential
from .conv import AdaptiveAvgPool2d, Conv2d
from .layers import Flatten, Linear
from .module import Module
from .normalization import BatchNorm2d


class ResidualBlock(Module):
    """conv3×3-BN-ReLU-conv3×3-BN plus a shortcut (the identity, or a 1×1 conv + BN when the
    shape changes), then ReLU: the "basic block" of ResNet."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        super().__init__()
        self.conv1 = Conv2d(in_channels, out_channels, 3, stride, padding=1, bias=False)
        self.bn1 = BatchNorm2d(out_channels)
        self.conv2 = Conv2d(out_channels, out_channels, 3, 1, padding=1, bias=False)
        self.bn2 = BatchNorm2d(out_channels)
        self.shortcut = Sequential()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = Sequential(Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                       BatchNorm2d(out_channels))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(h)) + self.shortcut(x))


class SmallResNet(Module):
    """A stem convolution, residual stages of widening channels (stride 2 between stages),
    global average pooling and a linear classifier."""

    def __init__(self, in_channels: int = 1, classes: int = 10, widths=(16, 32, 64)):
        super().__init__()
        self.stem = Sequential(Conv2d(in_channels, widths[0], 3, padding=1, bias=False),
                               BatchNorm2d(widths[0]))
        blocks, width = [], widths[0]
        for i, out in enumerate(widths):
            blocks.append(ResidualBlock(width, out, stride=1 if i == 0 else 2))
            width = out
        self.stages = Sequential(*blocks)
        self.head = Sequential(AdaptiveAvgPool2d(1), Flatten(), Linear(width, classes))

    def forward(self, x):
        return self.head(self.stages(F.relu(self.stem(x))))
