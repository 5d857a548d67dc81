"""Numba's CUDA target, real or simulated, and the one compatibility shim it needs.

* On a machine with an NVIDIA GPU, ``numba.cuda`` compiles each kernel to PTX and runs it.
* With ``NUMBA_ENABLE_CUDASIM=1`` in the environment *before Numba is imported*, the same
  kernel code runs in the CUDA simulator: every thread of a block becomes a Python thread, on
  the CPU.  It is slow (use small shapes) but runs the kernel's own code, which is how CI tests
  every kernel without a GPU.  The simulator has no warp-level primitives (shuffles, votes), so
  the kernels here use none: their simulator path and GPU path are the same code.

``use_simulator_unless_gpu()`` picks for you: the simulator unless CuPy sees a GPU.
"""
from __future__ import annotations

import functools
import os

import numpy as np

if not hasattr(np, "row_stack"):  # numba-cuda 0.30 still names this alias; NumPy 2.5 removed it
    np.row_stack = np.vstack


def gpu_present() -> bool:
    """True when CuPy is installed and sees at least one CUDA device.  Why not, when not, is
    an error under ``MINIGRAD_REQUIRE_GPU=1`` (a broken GPU install must never look green)."""
    try:
        import cupy
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # ImportError, or CuPy without a driver/device
        if os.environ.get("MINIGRAD_REQUIRE_GPU") == "1":
            raise RuntimeError(f"MINIGRAD_REQUIRE_GPU=1 but CuPy cannot reach a GPU: "
                               f"{type(err).__name__}: {err}") from err
        return False
    return count > 0


def use_simulator_unless_gpu() -> bool:
    """Select the CUDA simulator (returns True) unless a GPU is present or the caller already
    chose through NUMBA_ENABLE_CUDASIM.  Must run before ``numba`` is first imported.  With
    ``MINIGRAD_REQUIRE_GPU=1`` the simulator is refused, inherited or chosen."""
    if "NUMBA_ENABLE_CUDASIM" not in os.environ:
        os.environ["NUMBA_ENABLE_CUDASIM"] = "0" if gpu_present() else "1"
    simulate = os.environ["NUMBA_ENABLE_CUDASIM"] == "1"
    if simulate and os.environ.get("MINIGRAD_REQUIRE_GPU") == "1":
        raise RuntimeError("MINIGRAD_REQUIRE_GPU=1 but Numba's CUDA simulator is selected "
                           "(NUMBA_ENABLE_CUDASIM=1, or no GPU seen): refusing to fall back")
    return simulate


@functools.cache  # Numba reads the choice once, at import; every launch asks
def simulated() -> bool:
    """Whether Numba's CUDA target is the simulator (as Numba read it when first imported)."""
    use_simulator_unless_gpu()
    from numba.core import config
    return bool(config.ENABLE_CUDASIM)


def cuda():
    """The ``numba.cuda`` module, imported after the simulator choice (the kernel modules get
    Numba through here, so importing one never needs a GPU)."""
    use_simulator_unless_gpu()
    from numba import cuda as numba_cuda
    return numba_cuda


def empty_like_device(array, shape: tuple, dtype=None):
    """An uninitialized array of ``shape`` where ``array`` lives: CuPy next to a CuPy array,
    NumPy otherwise (the simulator runs kernels on NumPy arrays)."""
    dtype = dtype or array.dtype
    if type(array).__module__.startswith("cupy"):
        import cupy
        return cupy.empty(shape, dtype=dtype)
    return np.empty(shape, dtype=dtype)


def ceil_div(a: int, b: int) -> int:
    """How many blocks of size b cover a items."""
    return -(-a // b)
