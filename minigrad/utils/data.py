"""``minigrad.utils.data``: ``Dataset``, ``TensorDataset``, ``Subset``, ``random_split`` and
``DataLoader`` under PyTorch's import path (they live in ``minigrad.data.loader``), and
``DistributedSampler`` (``minigrad.distributed.sampler``)."""
from ..data.loader import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split
from ..distributed.sampler import DistributedSampler

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate",
           "random_split", "DistributedSampler"]
