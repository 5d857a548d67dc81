"""The preprocessing helpers the seed listings use."""
from __future__ import annotations

import numpy as np


def normalize(x, mean=0.5, std=0.5, scale: float | None = 255.0) -> np.ndarray:
    """(x / scale - mean) / std as float32: e.g. torchvision's ``Normalize(0.5, 0.5)`` after
    ``ToTensor()`` maps pixels 0..255 to [-1, 1].  ``scale=None`` skips the division."""
    x = np.asarray(x, dtype=np.float32)
    if scale:
        x = x / np.float32(scale)
    return (x - np.float32(mean)) / np.float32(std)


def to_categorical(y, num_classes: int | None = None, dtype=np.float32) -> np.ndarray:
    """One-hot rows for integer labels (Keras' name); ``num_classes`` defaults to max + 1."""
    y = np.asarray(y, dtype=np.int64).reshape(-1)
    num_classes = int(y.max()) + 1 if num_classes is None else num_classes
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"to_categorical: labels must be in 0..{num_classes - 1}, got "
                         f"{y.min()}..{y.max()}")
    out = np.zeros((len(y), num_classes), dtype=dtype)
    out[np.arange(len(y)), y] = 1
    return out


one_hot = to_categorical
