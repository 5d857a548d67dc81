"""Samplers: the order in which a ``DataLoader`` visits a data set, drawn lazily.

A sampler is an iterable of indices; a ``BatchSampler`` groups one into lists.  Nothing here
builds the whole order up front unless the order *is* a permutation of the data set: a
``RandomSampler`` with ``replacement=True`` and ``num_samples=10**10`` (makemore's and minGPT's
"infinite" loaders) draws its indices 32 at a time, so memory does not grow with its length.
PyTorch's classes, names and arguments; the random numbers come from the ``generator`` given (a
``minigrad.Generator``), else from the default one, so ``manual_seed`` repeats the order.
"""
from __future__ import annotations

import numpy as np

from .. import random

CHUNK = 32  # indices drawn at a time with replacement (PyTorch draws 32 too)


class Sampler:
    """An iterable of data-set indices; subclasses give ``__iter__`` (and ``__len__`` when the
    count is known)."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):  # pragma: no cover - abstract
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Random indices into ``data_source``: a fresh permutation per pass (repeated, then cut,
    when ``num_samples`` exceeds the data set), or, with ``replacement``, ``num_samples``
    independent draws."""

    def __init__(self, data_source, replacement: bool = False, num_samples=None,
                 generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement must be a bool, got {replacement!r}")
        self.data_source, self.replacement = data_source, replacement
        self._num_samples, self.generator = num_samples, generator
        if not isinstance(self.num_samples, (int, np.integer)) or self.num_samples <= 0:
            raise ValueError(f"RandomSampler: num_samples must be a positive integer (an empty "
                             f"data set has none to draw), got {self.num_samples!r}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __len__(self) -> int:
        return self.num_samples

    def __iter__(self):
        n, rng = len(self.data_source), random.numpy_generator(self.generator)
        if self.replacement:
            for start in range(0, self.num_samples, CHUNK):
                count = min(CHUNK, self.num_samples - start)
                yield from rng.integers(0, n, count).tolist()
            return
        full, rest = divmod(self.num_samples, n)
        for _ in range(full):
            yield from rng.permutation(n).tolist()
        if rest:
            yield from rng.permutation(n)[:rest].tolist()


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices from ``sampler``, the last one shorter unless
    ``drop_last``; drawn as the loader asks, never all at once."""

    def __init__(self, sampler, batch_size: int, drop_last: bool):
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size <= 0:
            raise ValueError(f"BatchSampler: batch_size must be a positive integer, got "
                             f"{batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last must be a bool, got {drop_last!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        full, rest = divmod(len(self.sampler), self.batch_size)
        return full if self.drop_last or rest == 0 else full + 1
