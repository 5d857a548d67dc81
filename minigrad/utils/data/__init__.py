"""``minigrad.utils.data``: PyTorch's import path for the data tools, with its submodules
(``dataloader``, ``sampler``, ``dataset``).  They live in ``minigrad.data`` (``loader``,
``sampler``) and ``minigrad.distributed.sampler`` (``DistributedSampler``)."""
from . import dataloader, dataset, sampler
from .dataloader import DataLoader, default_collate
from .dataset import Dataset, Subset, TensorDataset, random_split
from .sampler import BatchSampler, DistributedSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate",
           "random_split", "BatchSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "DistributedSampler", "dataloader", "dataset", "sampler"]
