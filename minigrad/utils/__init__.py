"""``minigrad.utils``: ``minigrad.utils.data`` is where PyTorch code finds its data tools."""
from . import data

__all__ = ["data"]
