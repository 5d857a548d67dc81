"""``minigrad.vision``: the parts of torchvision that PyTorch's examples use, so that
``from minigrad.vision import datasets, transforms`` replaces ``from torchvision import ...``.

- ``datasets.MNIST``, ``datasets.FashionMNIST`` (minigrad's IDX loaders: they find Debian's
  Fashion-MNIST and download where a network allows), ``datasets.FakeData``;
- ``transforms.Compose``, ``ToTensor``, ``Normalize``, ``Lambda``;
- ``utils.make_grid``, ``utils.save_image`` (a PNG grid through matplotlib).

Images are NumPy arrays (H, W) or (H, W, C) of uint8 where torchvision hands out PIL images;
``ToTensor`` turns either into a float32 (C, H, W) Tensor in [0, 1].
"""
from . import datasets, transforms, utils

__all__ = ["datasets", "transforms", "utils"]
