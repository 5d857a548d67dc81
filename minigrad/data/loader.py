"""Feeding data in batches: TensorDataset, DataLoader, random_split (PyTorch's names)."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor


def _array(value):
    return value.data if isinstance(value, Tensor) else np.asarray(value)


class TensorDataset:
    """Samples are the i-th rows of each given array/tensor (all of the same length)."""

    def __init__(self, *arrays):
        self.arrays = [_array(a) for a in arrays]
        lengths = {len(a) for a in self.arrays}
        if len(lengths) != 1:
            raise ValueError(f"TensorDataset: all arrays need the same length, got "
                             f"{[len(a) for a in self.arrays]}")

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index):
        return tuple(a[index] for a in self.arrays)


class Subset:
    """The samples of ``dataset`` at ``indices``."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, np.asarray(indices)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]


def random_split(dataset, lengths, seed: int = 0) -> list:
    """Disjoint random subsets of the given lengths (or fractions summing to 1)."""
    n = len(dataset)
    if all(isinstance(x, float) for x in lengths) and abs(sum(lengths) - 1) < 1e-9:
        counts = [int(np.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
    else:
        counts = list(lengths)
    if sum(counts) != n:
        raise ValueError(f"random_split: lengths {list(lengths)} do not add up to the "
                         f"dataset's {n} samples")
    order = np.random.default_rng(seed).permutation(n)
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


class DataLoader:
    """Iterate over ``dataset`` in batches of Tensors.  With ``shuffle`` the order is drawn
    anew each epoch from a generator seeded by ``seed`` (so runs repeat exactly)."""

    def __init__(self, dataset, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, seed: int = 0):
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
        self.dataset, self.batch_size = dataset, batch_size
        self.shuffle, self.drop_last = shuffle, drop_last
        self.generator = np.random.default_rng(seed)

    def __len__(self) -> int:
        full, rest = divmod(len(self.dataset), self.batch_size)
        return full if self.drop_last or rest == 0 else full + 1

    def __iter__(self):
        n = len(self.dataset)
        order = self.generator.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            index = order[start:start + self.batch_size]
            if self.drop_last and len(index) < self.batch_size:
                return
            yield tuple(Tensor._wrap(np.ascontiguousarray(a), None)
                        for a in self.dataset[index])
