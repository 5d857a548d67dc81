"""``minigrad.utils``: ``minigrad.utils.data`` is where PyTorch code finds its data tools,
``minigrad.utils.tensorboard`` its ``SummaryWriter`` (JSON lines, not TensorBoard's format)."""
from . import data, tensorboard

__all__ = ["data", "tensorboard"]
