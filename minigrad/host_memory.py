"""Keeping freed host memory in the process, so a training step does not page-fault.

Every NumPy temporary (an im2col matrix, an activation, its gradient) is allocated with
``malloc`` and freed a moment later.  glibc hands big blocks back to the operating system on
``free`` (``munmap``, or trimming the top of the heap), so the next step's allocation of the same
size faults every 4 KiB page back in and the kernel zeroes it.  Measured on SPEC P5's training
step (batch 128, 2 cores): ~9,500 page faults and ~40 ms of kernel time per step — about as long
as the step's arithmetic.  PyTorch meets the same problem on the GPU with a caching allocator.

On glibc, ``apply_default_policy()`` sets two documented ``mallopt`` parameters:

* ``M_MMAP_THRESHOLD`` = 32 MiB (glibc's maximum): blocks below it come from the heap, not from
  a fresh ``mmap``;
* ``M_TRIM_THRESHOLD`` = 2 GiB − 1 (an int's maximum): the heap is never trimmed in practice,
  so freed blocks are reused.

The cost is that the process keeps its peak memory until it exits, so ``import minigrad``
does not do it: it changes nothing process-wide.  The training entry points — ``fit``, the
``minigrad`` command and the benchmarks — call ``apply_default_policy()`` when they start;
call it yourself in a training loop of your own.  ``MINIGRAD_KEEP_FREED_MEMORY=0`` makes it a
no-op; elsewhere (macOS, Windows, musl) it is one anyway.
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
    """Keep freed memory in the process (what the training entry points do), unless
    MINIGRAD_KEEP_FREED_MEMORY=0; True when glibc accepted it."""
    if os.environ.get("MINIGRAD_KEEP_FREED_MEMORY", "1") == "0":
        return False
    return keep_freed_memory()
