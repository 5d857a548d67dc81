"""Keeping freed host memory in the process, so a training step does not page-fault.

Every NumPy temporary (an im2col matrix, an activation, its gradient) is allocated with
``malloc`` and freed a moment later.  glibc hands big blocks back to the operating system on
``free`` (``munmap``, or trimming the top of the heap), so the next step's allocation of the same
size faults every 4 KiB page back in and the kernel zeroes it.  Measured on SPEC P5's training
step (batch 128, 2 cores): ~9,500 page faults and ~40 ms of kernel time per step — about as long
as the step's arithmetic.  PyTorch meets the same problem on the GPU with a caching allocator.

On glibc we set two documented ``mallopt`` parameters once, at import:

* ``M_MMAP_THRESHOLD`` = 32 MiB (glibc's maximum): blocks below it come from the heap, not from
  a fresh ``mmap``;
* ``M_TRIM_THRESHOLD`` = 2 GiB − 1 (an int's maximum): the heap is never trimmed in practice,
  so freed blocks are reused.

The cost is that the process keeps its peak memory until it exits.  Set the environment
variable ``MINIGRAD_KEEP_FREED_MEMORY=0`` before importing minigrad to leave malloc alone.
Elsewhere (macOS, Windows, musl) this is a no-op.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 2**31 - 1  # mallopt takes an int


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed blocks for reuse; True when it accepted both settings."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    accepted_mmap = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    accepted_trim = mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    return bool(accepted_mmap and accepted_trim)


def apply_default_policy() -> bool:
    """What ``import minigrad`` does: keep freed memory unless MINIGRAD_KEEP_FREED_MEMORY=0."""
    if os.environ.get("MINIGRAD_KEEP_FREED_MEMORY", "1") == "0":
        return False
    return keep_freed_memory()
