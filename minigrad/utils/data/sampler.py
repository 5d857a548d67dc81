"""``minigrad.utils.data.sampler``, as ``torch.utils.data.sampler``."""
from ...data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from ...distributed.sampler import DistributedSampler

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler", "DistributedSampler"]
