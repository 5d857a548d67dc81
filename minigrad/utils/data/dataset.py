"""``minigrad.utils.data.dataset``, as ``torch.utils.data.dataset``."""
from ...data.loader import Dataset, Subset, TensorDataset, random_split

__all__ = ["Dataset", "Subset", "TensorDataset", "random_split"]
