"""Image grids: ``make_grid`` and ``save_image`` (torchvision.utils' signatures)."""
from __future__ import annotations

import math

import numpy as np

from ..backend import to_device
from ..tensor import Tensor


def make_grid(tensor, nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range=None, scale_each: bool = False, pad_value: float = 0.0) -> Tensor:
    """A batch of images (N, C, H, W) (or one (C, H, W), or (H, W)) tiled into one
    (3 or C, H', W') image, ``nrow`` per row, ``padding`` pixels of ``pad_value`` between.
    ``normalize`` maps ``value_range`` (default: the min and max, per image with
    ``scale_each``) to [0, 1]."""
    images = np.array(to_device(tensor.array if isinstance(tensor, Tensor) else
                                np.asarray(tensor), "cpu"), dtype=np.float32)
    while images.ndim < 4:
        images = images[None]
    if images.shape[1] == 1:
        images = np.repeat(images, 3, axis=1)  # gray -> RGB, as torchvision
    if normalize:
        def rescale(x):
            low, high = value_range if value_range is not None else (x.min(), x.max())
            return (np.clip(x, low, high) - low) / max(high - low, 1e-5)
        images = np.stack([rescale(x) for x in images]) if scale_each else rescale(images)
    n, c, h, w = images.shape
    columns = min(nrow, n)
    rows = math.ceil(n / columns)
    grid = np.full((c, rows * (h + padding) + padding, columns * (w + padding) + padding),
                   pad_value, np.float32)
    for k in range(n):
        top, left = (k // columns) * (h + padding) + padding, (k % columns) * (w + padding) + \
            padding
        grid[:, top:top + h, left:left + w] = images[k]
    return Tensor(grid)


def save_image(tensor, fp, format=None, **grid_options) -> None:  # noqa: A002
    """Write ``make_grid(tensor, **grid_options)`` as an image file (PNG unless the name or
    ``format`` says otherwise); values are clipped to [0, 1]."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    grid = make_grid(tensor, **grid_options).array
    picture = np.clip(grid.transpose(1, 2, 0), 0, 1)
    plt.imsave(fp, picture, format=format)
