"""DistributedSampler: each rank's share of a data set's indices, as in PyTorch."""
from __future__ import annotations

import math

import numpy as np


class DistributedSampler:
    """The indices rank ``rank`` of ``num_replicas`` reads in one epoch: every rank shuffles
    the same way (seed + epoch: call ``set_epoch(epoch)`` before each epoch for a new order)
    and takes every ``num_replicas``-th index starting at its rank.  When the data set does
    not divide evenly, the first indices are repeated so every rank gets the same number
    (``drop_last=True`` drops the tail instead): ranks must run the same number of steps,
    or the collectives of the extra step would wait for ranks that have finished."""

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False):
        from . import get_rank, get_world_size
        self.num_replicas = get_world_size() if num_replicas is None else num_replicas
        self.rank = get_rank() if rank is None else rank
        if not 0 <= self.rank < self.num_replicas:
            raise ValueError(f"DistributedSampler: rank {self.rank} is not in [0, "
                             f"{self.num_replicas})")
        self.dataset, self.shuffle, self.seed, self.drop_last = dataset, shuffle, seed, drop_last
        self.epoch = 0
        size = len(dataset)
        self.num_samples = size // self.num_replicas if drop_last else \
            math.ceil(size / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self):
        size = len(self.dataset)
        order = np.random.default_rng(self.seed + self.epoch).permutation(size) \
            if self.shuffle else np.arange(size)
        if self.total_size > size:  # pad by repeating from the start
            order = np.concatenate([order, np.resize(order, self.total_size - size)])
        order = order[:self.total_size]
        return iter(order[self.rank:self.total_size:self.num_replicas].tolist())

    def __len__(self) -> int:
        return self.num_samples
