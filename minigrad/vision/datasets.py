"""Data sets with torchvision's constructors: ``MNIST(root, train, transform,
target_transform, download)``, ``FashionMNIST(...)``, ``FakeData(...)``.

A sample is ``(image, label)``: the image a uint8 array (28, 28) (torchvision: a PIL image),
passed through ``transform`` when given; the label an int.  The files are found (or
downloaded) by ``minigrad.data`` (see ``minigrad.data.mnist_sets`` for where it looks).
"""
from __future__ import annotations

import numpy as np

from ..data.loader import Dataset
from ..data.mnist_sets import load_split


class _IDXImages(Dataset):
    """One split of an IDX image set (MNIST's format)."""

    name = ""
    classes: tuple = ()

    def __init__(self, root=None, train: bool = True, transform=None, target_transform=None,
                 download: bool = False):
        self.root, self.train = root, train
        self.transform, self.target_transform = transform, target_transform
        self.data, self.targets = load_split(self.name, train, root, download)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index):
        image, label = self.data[index], int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def __repr__(self) -> str:
        split = "Train" if self.train else "Test"
        return f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}\n" \
               f"    Split: {split}"


class MNIST(_IDXImages):
    """The MNIST handwritten digits (60,000 training and 10,000 test images of 28×28)."""

    name = "mnist"
    classes = tuple(f"{d} - {w}" for d, w in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")))


class FashionMNIST(_IDXImages):
    """Fashion-MNIST: MNIST's format and sizes, ten kinds of clothing."""

    name = "fashion-mnist"
    classes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")


class FakeData(Dataset):
    """``size`` random images of ``image_size`` (C, H, W) with random labels: each sample
    drawn from a generator seeded by its index (and ``random_offset``), so it is the same
    every time it is read."""

    def __init__(self, size: int = 1000, image_size=(3, 224, 224), num_classes: int = 10,
                 transform=None, target_transform=None, random_offset: int = 0):
        self.size, self.image_size, self.num_classes = size, tuple(image_size), num_classes
        self.transform, self.target_transform = transform, target_transform
        self.random_offset = random_offset

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index):
        if not -self.size <= index < self.size:
            raise IndexError(f"FakeData: index {index} out of range for {self.size} samples")
        rng = np.random.default_rng(int(index) % self.size + self.random_offset)
        channels, height, width = self.image_size
        image = rng.integers(0, 256, (height, width, channels), dtype=np.uint8)
        image = image[:, :, 0] if channels == 1 else image
        label = int(rng.integers(0, self.num_classes))
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label
