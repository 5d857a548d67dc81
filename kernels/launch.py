"""Launching a kernel from Python without paying Numba's dispatch on every call.

A call ``kernel[blocks, threads](a, b, c)`` through Numba's dispatcher re-examines every
argument each time (its type, its ``__cuda_array_interface__``, a possible recompilation): about
85 µs per launch on an H100 with CuPy arrays, against ~14 µs for a CuPy kernel.  For a small
model whose step is a few hundred launches, that overhead *is* the step time.

Two paths, one kernel source:

* **GPU** (``CubinKernel``): compile the kernel once per argument signature with Numba
  (``kernel.compile``), take the *cubin* Numba links for this GPU (machine code: the driver
  JIT-compiles nothing, so a PTX version newer than the driver cannot get in the way), load it
  into CuPy from memory (``cupy.cuda.function.Module.load``: no temporary file to outlive) and
  launch it as a CuPy kernel on CuPy's current stream.  Numba's kernel ABI passes each array
  as the fields of its array struct — (meminfo, parent, nitems, itemsize, data, shape…,
  strides…) — so ``numba_abi_arguments`` spells those out; the entry point is the compiled
  kernel's mangled ``entry_name``.
* **Numba device arrays on a GPU**: Numba's own launch, with the configured kernel
  ``kernel[blocks, threads]`` cached per launch shape.
* **Simulator**: Numba's launch as written, ``kernel[blocks, threads](*args)``.
"""
from __future__ import annotations

import numpy as np

from . import runtime

_configured: dict = {}
_compiled: dict = {}


def launch(kernel, blocks: tuple, threads: tuple, *args) -> None:
    """Run ``kernel`` on a grid of ``blocks`` × ``threads`` with ``args`` (arrays and scalars).
    An empty grid (no rows, say) has nothing to do."""
    if 0 in tuple(blocks):
        return
    if runtime.simulated():  # the simulator's kernel[...] reconfigures the kernel object
        kernel[blocks, threads](*args)  # itself, so a configuration cannot be cached there
        return
    if any(_is_cupy(a) for a in args):
        key = (kernel,) + tuple(_type_key(a) for a in args)  # cheaper than the signature
        compiled = _compiled.get(key)
        if compiled is None:
            compiled = _compiled[key] = CubinKernel(kernel, numba_signature(args))
        compiled(blocks, threads, args)
        return
    key = (kernel, blocks, threads)
    configured = _configured.get(key)
    if configured is None:
        configured = _configured[key] = kernel[blocks, threads]
    configured(*args)


def _is_cupy(value) -> bool:
    return type(value).__module__.startswith("cupy")


def _type_key(value) -> tuple:
    """What the compiled code depends on: dtype, dimensions and layout (not sizes)."""
    if getattr(value, "ndim", 0):
        return value.dtype, value.ndim, value.flags.c_contiguous
    return (type(value),)


def numba_signature(args) -> str:
    """Numba's type signature for these arguments, e.g. 'void(float32[:, ::1], int64)'."""
    types = []
    for value in args:
        if hasattr(value, "shape") and getattr(value, "ndim", 0) > 0:
            dims = ", ".join([":"] * (value.ndim - 1) + ["::1" if value.flags.c_contiguous
                                                       else ":"])
            types.append(f"{np.dtype(value.dtype).name}[{dims}]")
        else:
            types.append(np.asarray(value).dtype.name)
    return f"void({', '.join(types)})"


def numba_abi_arguments(args) -> list:
    """The launch arguments of Numba's kernel ABI: every array expands to its struct fields."""
    expanded = []
    for value in args:
        if _is_cupy(value):
            expanded += [np.uint64(0), np.uint64(0), np.int64(value.size),
                         np.int64(value.itemsize), np.uint64(value.data.ptr)]
            expanded += [np.int64(n) for n in value.shape]
            expanded += [np.int64(s) for s in value.strides]
        else:
            expanded.append(np.asarray(value)[()])
    return expanded


class CubinKernel:
    """A Numba kernel compiled for one signature, loaded into CuPy as a cubin from memory, and
    launched through CuPy (module docstring)."""

    def __init__(self, kernel, signature: str):
        import cupy
        compiled = kernel.compile(signature)
        self.module = cupy.cuda.function.Module()  # kept: the function lives in it
        self.module.load(bytes(compiled.library.get_cubin()))
        self.function = self.module.get_function(compiled.entry_name)
        self.name = kernel.py_func.__name__

    def __call__(self, blocks: tuple, threads: tuple, args) -> None:
        self.function(tuple(blocks), tuple(threads), tuple(numba_abi_arguments(args)))
