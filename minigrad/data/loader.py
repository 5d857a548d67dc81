"""Feeding data in batches: Dataset, TensorDataset, Subset, random_split, DataLoader (PyTorch's
names; also importable as ``minigrad.utils.data``).

A batch is formed in one indexing step when the data set can take a whole index array
(``__getitems__``: TensorDataset, and Subsets of it); otherwise sample by sample, and the
samples are stacked (``default_collate``)."""
from __future__ import annotations

import numpy as np

from .. import backend, random
from .sampler import BatchSampler, RandomSampler, SequentialSampler
from ..tensor import Tensor


def _array(value):
    return value.array if isinstance(value, Tensor) else np.asarray(value)


class Dataset:
    """A map-style data set: ``len(ds)`` samples, ``ds[i]`` the i-th (PyTorch's protocol).
    Subclasses write ``__len__`` and ``__getitem__``."""

    def __len__(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def __getitem__(self, index):  # pragma: no cover - abstract
        raise NotImplementedError


class TensorDataset(Dataset):
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

    def __getitems__(self, indices):
        """A whole batch in one indexing step per array."""
        return tuple(a[indices] for a in self.arrays)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, np.asarray(indices)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]

    def __getattr__(self, name):
        if name == "__getitems__" and hasattr(self.dataset, "__getitems__"):
            return lambda indices: self.dataset.__getitems__(self.indices[indices])
        raise AttributeError(name)


def default_collate(samples: list):
    """Stack a list of samples into a batch, field by field: Tensors and arrays along a new
    first dim, numbers into an array (ints as int64, floats as float32), tuples/lists/dicts
    field by field."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return type(first)(default_collate(list(field)) for field in zip(*samples))
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, Tensor):
        return Tensor._wrap(backend.array_module_of(first.array).stack(
            [s.array for s in samples]), None)
    if isinstance(first, (bool, np.bool_)):
        return np.asarray(samples, dtype=np.bool_)
    if isinstance(first, (int, np.integer)):
        return np.asarray(samples, dtype=np.int64)
    if isinstance(first, (float, np.floating)) and not isinstance(first, np.ndarray):
        return np.asarray(samples, dtype=backend.DEFAULT_FLOAT)
    return np.stack([np.asarray(s) for s in samples])


def random_split(dataset, lengths, generator=None, seed: int = 0) -> list:
    """Disjoint random subsets of the given lengths (or fractions summing to 1), the order
    drawn from ``generator`` when given, else from a NumPy generator seeded by ``seed``."""
    n = len(dataset)
    if all(isinstance(x, float) for x in lengths) and abs(sum(lengths) - 1) < 1e-9:
        counts = [int(np.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
    else:
        counts = list(lengths)
    if any(not isinstance(c, (int, np.integer)) or c < 0 for c in counts):
        raise ValueError(f"random_split: lengths must be non-negative integers (or fractions "
                         f"summing to 1), got {list(lengths)}")
    if sum(counts) != n:
        raise ValueError(f"random_split: lengths {list(lengths)} do not add up to the "
                         f"dataset's {n} samples")
    order = random.numpy_generator(generator).permutation(n) if generator is not None \
        else np.random.default_rng(seed).permutation(n)
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


class DataLoader:
    """Iterate over ``dataset`` in batches of Tensors, drawing the order lazily from a sampler
    batch by batch: an endless sampler (``RandomSampler(data, replacement=True,
    num_samples=10**10)``) gives endless batches, and memory never grows with its length.

    The order: ``batch_sampler`` (lists of indices), else ``sampler``, else a
    ``RandomSampler`` with ``shuffle`` (from ``generator`` when given, otherwise drawn anew each
    epoch from a NumPy generator seeded by ``seed``, so runs repeat exactly), else the data
    set's own order.  PyTorch's process and memory options (``num_workers``, ``pin_memory``,
    ``persistent_workers``, ``prefetch_factor``, ``worker_init_fn``, ``timeout``) are accepted
    and change nothing: batches are made in this process, which is all a NumPy-backed loader
    needs.  ``collate_fn`` replaces ``default_collate``."""

    def __init__(self, dataset, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, seed: int = 0, collate_fn=None, num_workers: int = 0,
                 pin_memory: bool = False, persistent_workers: bool = False,
                 prefetch_factor=None, worker_init_fn=None, timeout: float = 0, generator=None,
                 sampler=None, batch_sampler=None, pin_memory_device: str = ""):
        if num_workers < 0:
            raise ValueError(f"DataLoader: num_workers must be >= 0, got {num_workers}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler and shuffle=True are exclusive (the sampler "
                             "decides the order; DistributedSampler shuffles itself)")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                          or drop_last):
            raise ValueError("DataLoader: batch_sampler is exclusive with batch_size, shuffle, "
                             "sampler and drop_last (it decides all four)")
        if batch_sampler is None and (batch_size is None or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
        if sampler is None:
            order = generator if generator is not None else np.random.default_rng(seed)
            sampler = RandomSampler(dataset, generator=order) if shuffle else \
                SequentialSampler(dataset)
        self.dataset, self.sampler, self.generator = dataset, sampler, generator
        self.batch_sampler = batch_sampler or BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = None if batch_sampler is not None else batch_size
        self.shuffle, self.drop_last = shuffle, drop_last
        self.collate_fn = collate_fn or default_collate

    def __len__(self) -> int:
        """Batches per pass; a sampler without a length (an endless one) has none."""
        try:
            return len(self.batch_sampler)
        except TypeError:
            raise TypeError(f"DataLoader: its sampler ({type(self.sampler).__name__}) has no "
                            f"length: it may be endless") from None

    def __iter__(self):
        for index in self.batch_sampler:
            yield _as_tensors(self._batch(np.asarray(index, dtype=np.int64)))

    def _batch(self, index):
        if self.collate_fn is default_collate and hasattr(self.dataset, "__getitems__"):
            return self.dataset.__getitems__(index)
        return self.collate_fn([self.dataset[int(i)] for i in index])


def _as_tensors(batch):
    """Arrays in a batch become Tensors (contiguous), structure kept."""
    if isinstance(batch, (tuple, list)):
        return type(batch)(_as_tensors(b) for b in batch)
    if isinstance(batch, dict):
        return {k: _as_tensors(v) for k, v in batch.items()}
    if isinstance(batch, Tensor):
        return batch
    if hasattr(batch, "shape"):
        return Tensor._wrap(backend.array_module_of(batch).ascontiguousarray(batch), None)
    return batch
