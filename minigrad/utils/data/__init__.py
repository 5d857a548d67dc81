"""``minigrad.utils.data``: PyTorch's import path for the data tools, with its submodules
(``dataloader``, ``sampler``, ``dataset``).  They live in ``minigrad.data`` (``loader``,
``sampler``) and ``minigrad.distributed.sampler`` (``DistributedSampler``)."""
from ...data.loader import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split
from ...data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from ...distributed.sampler import DistributedSampler
from . import dataloader, dataset, sampler

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate",
           "random_split", "BatchSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "DistributedSampler", "dataloader", "dataset", "sampler"]
