"""``minigrad.cuda``: is there a GPU, and waiting for it.

    minigrad.cuda.is_available()     # True when CuPy is installed and sees an NVIDIA GPU
    x = minigrad.randn(3, 4, device="cuda")   # CuPy arrays behind the tensor from here on

GPU work is asynchronous: a CuPy call returns as soon as the kernel is queued.  Time GPU code
with ``synchronize()`` before reading the clock (lesson 12 explains why).
"""
from __future__ import annotations


def is_available() -> bool:
    """Whether ``device="cuda"`` can work here: CuPy importable and at least one GPU."""
    return device_count() > 0


def device_count() -> int:
    """How many CUDA devices CuPy sees (0 without CuPy, a driver or a GPU)."""
    try:
        import cupy
        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # ImportError, or CuPy present without a usable driver
        return 0


def synchronize() -> None:
    """Wait until every queued GPU kernel has finished (no-op without a GPU)."""
    if is_available():
        import cupy
        cupy.cuda.Device().synchronize()
