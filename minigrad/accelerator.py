"""``minigrad.accelerator``: PyTorch's device-agnostic questions (``torch.accelerator``).
The one accelerator minigrad knows is CUDA through CuPy."""
from __future__ import annotations

from . import cuda
from .device import device


def is_available() -> bool:
    """True when CuPy sees an NVIDIA GPU."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False):
    """``device("cuda")`` when a GPU is usable, else None (PyTorch returns None when no
    accelerator is present)."""
    return device("cuda") if cuda.is_available() else None


def device_count() -> int:
    return cuda.device_count() if cuda.is_available() else 0
