"""``minigrad.cuda``: is there a GPU, and waiting for it.

    minigrad.cuda.is_available()     # True when CuPy is installed and sees an NVIDIA GPU
    x = minigrad.randn(3, 4, device="cuda")   # CuPy arrays behind the tensor from here on
    minigrad.cuda.manual_seed(0)     # the GPU's random draws (dropout), harmless without one

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


def manual_seed(seed: int) -> None:
    """Seed the GPU's random generator (the dropout masks drawn on it); without a GPU this
    only records the seed, as ``torch.cuda.manual_seed`` is harmless there."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"cuda.manual_seed: the seed must be an integer, got {seed!r}")
    from .backend import seed_device
    seed_device("cuda", seed)


def manual_seed_all(seed: int) -> None:
    """Seed every GPU's generator (minigrad uses one GPU: the same as ``manual_seed``)."""
    manual_seed(seed)


def is_bf16_supported() -> bool:
    """False: minigrad computes no bfloat16 on the GPU (scripts then pick float16 or float32)."""
    return False


def __getattr__(name: str):
    """``cuda.amp`` (``GradScaler``, ``autocast``), loaded when first asked for."""
    if name == "amp":
        from . import amp
        return amp
    raise AttributeError(f"module 'minigrad.cuda' has no attribute '{name}'")
