"""``minigrad.cuda``: is there a GPU, and waiting for it.

    minigrad.cuda.is_available()     # True when CuPy is installed and sees an NVIDIA GPU
    x = minigrad.randn(3, 4, device="cuda")   # CuPy arrays behind the tensor from here on

GPU work is asynchronous: a CuPy call returns as soon as the kernel is queued.  Time GPU code
with ``synchronize()`` before reading the clock (lesson 12 explains why).
"""
from __future__ import annotations

import os


def is_available() -> bool:
    """Whether ``device="cuda"`` can work here: CuPy importable and at least one GPU."""
    return device_count() > 0


def device_count() -> int:
    """How many CUDA devices CuPy sees (0 without CuPy, a driver or a GPU).  With
    ``MINIGRAD_REQUIRE_GPU=1`` in the environment, no GPU is an error that says why, so a
    broken GPU install never passes for a machine without one."""
    try:
        import cupy
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception as err:  # ImportError, or CuPy present without a usable driver
        reason, count = f"{type(err).__name__}: {err}", 0
    else:
        reason = "CuPy sees 0 devices"
    if count == 0 and os.environ.get("MINIGRAD_REQUIRE_GPU") == "1":
        raise RuntimeError(f"MINIGRAD_REQUIRE_GPU=1 but there is no usable GPU ({reason})")
    return count


def synchronize() -> None:
    """Wait until every queued GPU kernel has finished (no-op without a GPU)."""
    if is_available():
        import cupy
        cupy.cuda.Device().synchronize()
        from .backend import raise_deferred
        raise_deferred()  # report the checks that waited for a sync
