"""Image transforms with torchvision's names: each is a callable applied to one sample."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, image):
        for transform in self.transforms:
            image = transform(image)
        return image

    def __repr__(self) -> str:
        return "Compose(" + ", ".join(repr(t) for t in self.transforms) + ")"


class ToTensor:
    """A uint8 image (H, W) or (H, W, C) -> a float32 Tensor (C, H, W) in [0, 1] (÷ 255); a
    float image is only moved to (C, H, W)."""

    def __call__(self, image) -> Tensor:
        array = np.asarray(image)
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3:
            raise ValueError(f"ToTensor: expected an image (H, W) or (H, W, C), got shape "
                             f"{array.shape}")
        chw = np.ascontiguousarray(array.transpose(2, 0, 1))
        if array.dtype == np.uint8:
            return Tensor(chw.astype(np.float32) / np.float32(255))
        return Tensor(chw.astype(np.float32, copy=False))

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """(x − mean[c]) / std[c] for each channel c of a (C, H, W) or (N, C, H, W) Tensor."""

    def __init__(self, mean, std):
        self.mean = np.asarray(mean, np.float32).reshape(-1, 1, 1)
        self.std = np.asarray(std, np.float32).reshape(-1, 1, 1)
        if (self.std == 0).any():
            raise ValueError(f"Normalize: std must not contain zeros, got {std}")

    def __call__(self, tensor: Tensor) -> Tensor:
        if tensor.ndim < 3 or tensor.shape[-3] not in (1, len(self.mean)) or \
                len(self.mean) not in (1, tensor.shape[-3]):
            raise ValueError(f"Normalize: {len(self.mean)} channel means for a tensor of shape "
                             f"{tuple(tensor.shape)} (expected (C, H, W))")
        return (tensor - self.mean) / self.std

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.ravel().tolist()}, std={self.std.ravel().tolist()})"


class Lambda:
    """Any function of the sample, as a transform."""

    def __init__(self, function):
        self.function = function

    def __call__(self, sample):
        return self.function(sample)
