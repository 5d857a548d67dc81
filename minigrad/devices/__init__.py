"""Where arrays live: one backend object per device, and the question "whose array is this?".

A backend (``cpu``, ``cuda``) answers everything that depends on the device, so that nothing
else in minigrad inspects an array's type or module name:

- ``owns(array)``: whether an array is one of its arrays;
- ``xp``: its array module (NumPy, CuPy), whose ``exp``, ``matmul``... the ops call;
- ``generator()``: its random generator (dropout masks drawn where the data is);
- ``kernel_target``: the target ``minigrad_kernels.compile`` writes its kernels for, and the
  column of ``kernel_table`` that says which families run as kernels there;
- the few primitives the array modules spell differently: ``erf``, ``scatter_add``,
  ``as_strided``, and the copies to and from it (``from_host``, ``to_host``).

A new target (another GPU array library) is one new file here, a subclass of ``Backend``
listed in ``BACKENDS``; its kernel families stay on the array formulas until a benchmark adds
its column to ``kernel_table``.
"""
from __future__ import annotations

from .base import Backend
from .cpu import CPU
from .cuda import CUDA

BACKENDS: dict = {"cpu": CPU(), "cuda": CUDA()}
"""Every backend by device name; ``backend_of`` asks them in this order."""


def backend(device: str) -> Backend:
    """The backend of a device name ("cpu", "cuda"; already normalized)."""
    return BACKENDS[device]


def owner_of(array) -> Backend | None:
    """The backend whose array ``array`` is; None for plain numbers, Tensors and anything
    else no backend claims."""
    for candidate in BACKENDS.values():
        if candidate.owns(array):
            return candidate
    return None


def backend_of(array) -> Backend:
    """The backend an array belongs to; the CPU's for anything no backend claims (plain
    numbers)."""
    return owner_of(array) or BACKENDS["cpu"]


__all__ = ["Backend", "BACKENDS", "backend", "backend_of", "owner_of"]
