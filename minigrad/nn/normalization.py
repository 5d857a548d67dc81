"""Normalization layers: BatchNorm1d (statistics over the batch) and LayerNorm (over the
features of each sample).  The formulas are in ``minigrad.ops.normalization``."""
from __future__ import annotations

from .. import functional as F
from ..creation import ones, zeros
from ..tensor import Tensor
from .module import Module, Parameter


class _BatchNorm(Module):
    """Shared by BatchNorm1d (N, C) / (N, C, L) and BatchNorm2d (N, C, H, W)."""

    expected_dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True, track_running_stats: bool = True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = Parameter(ones(num_features)) if affine else None
        self.bias = Parameter(zeros(num_features)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features))
            self.register_buffer("running_var", ones(num_features))
            self.register_buffer("num_batches_tracked", zeros((), dtype="int64"))

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self.expected_dims or x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): expected input with "
                             f"{' or '.join(map(str, self.expected_dims))} dims and "
                             f"{self.num_features} channels, got shape {tuple(x.shape)}")
        use_batch_stats = self.training or not self.track_running_stats
        if self.training and self.track_running_stats:
            self.num_batches_tracked.array[...] += 1
        running = (self.running_mean, self.running_var) if self.track_running_stats \
            else (None, None)
        return F.batch_norm(x, *running, self.weight, self.bias, training=use_batch_stats,
                            momentum=self.momentum, eps=self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs, per channel C.  Training uses the
    batch's mean and (biased) variance and updates running estimates; eval uses those."""

    expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) images, per channel C: statistics over N, H, W."""

    expected_dims = (4,)


class LayerNorm(Module):
    """Normalizes each sample over its last dims (``normalized_shape``), then γ x̂ + β."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps = shape, eps
        self.elementwise_affine = elementwise_affine
        self.weight = Parameter(ones(shape)) if elementwise_affine else None
        self.bias = Parameter(zeros(shape)) if elementwise_affine else None

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
