"""The door to the fused kernels: for each op family, the compiled kernel or the array formula.

The formulas live once, next to their ops (``@formula``: ``minigrad.ops.formula``).  An op asks
this module to apply one, by the formula object itself (``pointwise(sigmoid_back, g, z)``,
``where``), or to run a fused step (``optimizer_step(adam, ...)``, ``lstm_step_kernels``,
``softmax_cross_entropy``, ``max_pool``, ``fold``).
This module — and nothing else — decides how:

- the **kernel**: the formula compiled by Numba for the CPU or for CUDA, in a loop that reads
  each input and writes each output once (``minigrad_kernels.compile``); or
- the **array formula**: the same formula applied to whole arrays with NumPy or CuPy, or to
  Tensors with ``minigrad.differentiable`` when a backward is building a graph (kernels have
  no gradient of their own, so that path never takes a kernel).

The switch: ``set_kernels("auto" | "on" | "off")``, or ``MINIGRAD_KERNELS`` read at import.
``auto`` (the default) takes a kernel where ``kernel_table.TABLE`` says a benchmark measured
it faster on that device class; ``on`` takes every kernel that can run (CUDA kernels need a
real GPU: never in the CUDA simulator or on the CuPy stand-in); ``off`` takes none.  A kernel
also needs plain contiguous arrays of one float dtype and one shape; anything else (a
broadcast, float16, a Tensor) takes the array formula.  ``minigrad info`` prints the choice
for each family.  Kernels compile on first use and are cached on disk.
"""
from __future__ import annotations

import functools
import os

import numpy as np

from . import backend
from .devices import backend_of, owner_of
from .kernel_table import TABLE
from .ops import formula as _formula
from .ops.formula import FORMULAS, on_arrays

MODES = ("auto", "on", "off")
FAMILIES = tuple(TABLE)


def _mode_from_environment() -> str:
    mode = os.environ.get("MINIGRAD_KERNELS", "auto")
    if mode not in MODES:
        raise ValueError(f"MINIGRAD_KERNELS={mode!r}: expected one of {MODES}")
    return mode


_mode = _mode_from_environment()


def set_kernels(mode: str) -> None:
    """Choose how op families run: "auto" (the measured table), "on" (every kernel that can
    run here) or "off" (the array formulas everywhere)."""
    global _mode
    if mode not in MODES:
        raise ValueError(f"set_kernels: mode must be one of {MODES}, got {mode!r}")
    _mode = mode


def kernels_mode() -> str:
    return _mode


@functools.cache
def _cuda_kernels_run_here() -> bool:
    """CUDA kernels need a real GPU (the simulator and the CuPy stand-in cannot launch them)."""
    try:
        from minigrad_kernels import runtime
        return not runtime.simulated()
    except ImportError:  # numba-cuda not installed
        return False


def uses_kernel(family: str, device: str) -> bool:
    """Whether ``family`` runs as a kernel on ``device`` under the current mode."""
    if _mode == "off" or (device == "cuda" and not _cuda_kernels_run_here()):
        return False
    return _mode == "on" or TABLE[family].get(device, False)  # unmeasured: off


def path(family: str, device: str) -> str:
    """'kernel' or 'array formula': what ``minigrad info`` prints."""
    return "kernel" if uses_kernel(family, device) else "array formula"


def _compiled(family: str, *arrays, strided: tuple = ()):
    """The module of compiled kernels for these arrays, if ``family`` runs as a kernel on them
    (plain contiguous arrays — ``strided`` ones may have any strides —, one float dtype, one
    device); else None."""
    first = (arrays + strided)[0]
    kind, owner = type(first), owner_of(first)
    if owner is None:
        return None                               # a Tensor (building a graph), a number...
    dtype = first.dtype
    if dtype.kind != "f" or dtype.itemsize < 4:
        return None
    for a in arrays:
        if type(a) is not kind or a.dtype != dtype or not a.flags.c_contiguous:
            return None
    if any(type(a) is not kind or a.dtype != dtype for a in strided):
        return None
    if not uses_kernel(family, owner.name):
        return None
    return _kernel_module(owner.kernel_target, dtype)


_modules: dict = {}


def _kernel_module(target: str, dtype):
    """The compiled kernels of every registered formula for ``target`` and ``dtype``: looked up
    here by a cheap key (the compiler's own cache hashes the whole registry)."""
    key = (target, dtype, _formula.registrations)
    module = _modules.get(key)
    if module is None:
        from minigrad_kernels.compile import kernels
        module = _modules[key] = kernels(target, dtype, tuple(FORMULAS.values()))
    return module


def _run(kernel, size: int, *args) -> None:
    """Call a compiled kernel on ``size`` items, as its device runs one (``run_kernel``)."""
    backend_of(args[0]).run_kernel(kernel, size, *args)


# ----------------------------------------------------------------------------- pointwise formulas
def memory_order(arrays) -> tuple | None:
    """The axis order that lists every array's memory from its largest stride to its smallest
    — ``(0, 1, …)`` for C-contiguous arrays — when all share one shape and one layout (None
    when they do not).  Transposed to it, arrays stored in any axis order, as the pixel-major
    (N, C, H, W) views of a convolution's output, are C-contiguous: an elementwise kernel can
    walk their memory as one flat run."""
    first = arrays[0]
    strides = getattr(first, "strides", None)  # a Tensor (building a graph) has none
    if strides is None or any(getattr(a, "strides", None) != strides or a.shape != first.shape
                              for a in arrays[1:]):
        return None
    if first.flags.c_contiguous:
        return tuple(range(first.ndim))
    return tuple(sorted(range(first.ndim), key=lambda axis: -strides[axis]))


def pointwise(formula, *arguments):
    """``formula(*arrays, *scalars)`` elementwise (a registered ``@formula``; its scalars
    follow its arrays): by the fused kernel when the door says so, else by the array formula.
    The kernel takes arrays of one shape and one dense layout, in any axis order
    (``memory_order``)."""
    count = len(FORMULAS[formula.__name__].arrays)
    arrays, scalars = arguments[:count], arguments[count:]
    order = memory_order(arrays)
    permuted = order is not None and order != tuple(range(len(order)))
    in_memory = tuple(a.transpose(order) for a in arrays) if permuted else arrays
    compiled = None if order is None else _compiled("pointwise", *in_memory)
    if compiled is None:
        return on_arrays(formula, backend.array_module_of(arrays[0]))(*arrays, *scalars)
    dtype = arrays[0].dtype.type
    out = backend.array_module_of(arrays[0]).empty_like(in_memory[0])
    _run(getattr(compiled, formula.__name__ + "_map"), out.size,
         *(a.reshape(-1) for a in in_memory), *(dtype(s) for s in scalars), out.reshape(-1))
    if not permuted:
        return out
    return out.transpose(tuple(sorted(range(len(order)), key=order.__getitem__)))


def bias_activation(z, bias, name: str):
    """f(z + bias) for a (rows, features) z and a (features,) bias, f the activation named
    (an ``epilogue`` formula), in one pass by the kernel; or None for the array formula."""
    compiled = _compiled("bias_activation", z, bias)
    if compiled is None or z.ndim != 2 or bias.shape != z.shape[1:]:
        return None
    out = backend.array_module_of(z).empty_like(z)
    _run(getattr(compiled, name + "_bias_map"), z.size, z.reshape(-1), bias, out.reshape(-1))
    return out


def where(condition, a, b):
    """a where the boolean ``condition`` holds, else b, elementwise (a and b arrays of the
    condition's shape, or one of them a Python number), by the kernel (family ``where``); or
    None for the array module's ``where``.  NumPy's ``where`` branches on every element: with
    a random condition, as a ReLU's mask, half the branches mispredict (51 µs for 16K floats,
    against 3 µs for the kernel's blend)."""
    numbers = [isinstance(x, (int, float)) for x in (a, b)]
    arrays = [x for x, number in zip((a, b), numbers) if not number]
    compiled = _compiled("where", *arrays) if arrays else None  # None for Tensors too
    if compiled is None or type(condition) is not type(arrays[0]) or \
            condition.dtype != bool or not condition.flags.c_contiguous or \
            any(x.shape != condition.shape for x in arrays):
        return None
    dtype = arrays[0].dtype.type
    kernel = ("where_number_a_map" if numbers[0] else
              "where_number_b_map" if numbers[1] else "where_map")
    flat = [dtype(x) if number else x.reshape(-1) for x, number in zip((a, b), numbers)]
    out = backend.array_module_of(arrays[0]).empty_like(arrays[0])
    _run(getattr(compiled, kernel), out.size, condition.reshape(-1), *flat, out.reshape(-1))
    return out


# ----------------------------------------------------------------------------- fused steps
def optimizer_step(formula, p, d, state: tuple, *scalars) -> None:
    """Update parameter ``p`` and its state arrays in place by an optimizer's ``formula``
    (``@formula(states=...)``: ``sgd``, ``adam``... in ``minigrad.optim``), whose arguments
    are (p, d, *state, *scalars): one pass by the kernel, or the array formula with its
    results copied back."""
    compiled = _compiled("optimizer", p, d, *state)
    if compiled is None:
        results = on_arrays(formula, backend.array_module_of(p))(p, d, *state, *scalars)
        for target, value in zip((p,) + tuple(state), results if isinstance(results, tuple)
                                 else (results,)):
            target[...] = value
        return
    dtype = p.dtype.type
    _run(getattr(compiled, formula.__name__ + "_update"), p.size,
         *(a.reshape(-1) for a in (p, d) + state),
         *(s if isinstance(s, bool) else dtype(s) for s in scalars))


def lstm_step_kernels(state, *arrays):
    """The fused LSTM cell step and its backward, for the arrays of a whole sequence — every
    step's slices of them share their layout, so they are checked once, not once per step;
    ``state`` is one step's (B, H) state (a GPU runs a thread per element).  Returns
    (forward, backward) callables with the loops' arguments (``loops_cpu.py``):

        forward(projected, recurrent, bias, c_prev, h, c, gates, tanh_c)
        backward(dh, dc_next, c_prev, gates, tanh_c, da, dc_prev)

    or None when the array formulas should run."""
    compiled = _compiled("lstm", state, *arrays)
    if compiled is None:
        return None
    return (functools.partial(_run, compiled.lstm_step_forward, state.size),
            functools.partial(_run, compiled.lstm_step_backward, state.size))


def softmax_cross_entropy(x, target, ignore_index: int):
    """Rows of logits x (N, C) and class indices: (softmax p, per-row losses), or None."""
    compiled = _compiled("softmax_cross_entropy", x)
    if compiled is None or target.dtype != np.int64:
        return None
    xp = backend.array_module_of(x)
    p, loss = xp.empty_like(x), xp.empty(x.shape[:1], dtype=x.dtype)
    _run(compiled.softmax_cross_entropy_forward, len(x), x, target, ignore_index, p, loss)
    return p, loss


def softmax_cross_entropy_backward(p, target, ignore_index: int, scale):
    """dL/dx = (p − one_hot) · scale per row (``scale``: one number, or one per row), or None
    for the array formula."""
    compiled = _compiled("softmax_cross_entropy", p)
    if compiled is None or target.dtype != np.int64 or backend.is_tensor(scale):
        return None
    xp = backend.array_module_of(p)
    rows, dx = xp.empty(len(p), dtype=p.dtype), xp.empty_like(p)
    rows[...] = scale
    _run(compiled.softmax_cross_entropy_backward, len(p), p, target, ignore_index, rows, dx)
    return dx


def max_pool(image, kernel: tuple, stride: tuple, dilation: tuple, out: tuple):
    """Max pooling of a padded pixel-major image (H, W, N, C): (best, winner offsets), or None."""
    compiled = _compiled("max_pool", strided=(image,))  # a pixel-major view: any strides
    if compiled is None:
        return None
    xp = backend.array_module_of(image)
    shape = out + image.shape[2:]
    best = xp.empty(shape, dtype=image.dtype)
    winner = xp.empty(shape, dtype=np.min_scalar_type(kernel[0] * kernel[1]))
    _run(compiled.max_pool_forward, best.size, image, *kernel, *stride, *dilation, best, winner)
    return best, winner


def max_pool_backward(g, winner, padded_shape: tuple, kernel: tuple, stride: tuple,
                      dilation: tuple, tiled: bool):
    """The gradient of a padded pixel-major image from the pooled gradient g, or None.
    ``tiled``: the windows cover the image exactly once (the kernel then writes every pixel
    and nothing needs zeroing first)."""
    compiled = _compiled("max_pool", g)
    if compiled is None:
        return None
    xp = backend.array_module_of(g)
    grad = (xp.empty if tiled else xp.zeros)(padded_shape, dtype=g.dtype)
    _run(compiled.max_pool_backward, g.size, g, winner, *kernel, *stride, *dilation, tiled,
         grad)
    return grad


def fold(d, padded_shape: tuple, stride: tuple, dilation: tuple):
    """col2im by the kernel: a pixel-major (Hp, Wp, N, C) array of ``padded_shape`` with each
    window's gradient d (OH, OW, N, KH, KW, C) added where that window read; or None."""
    compiled = _compiled("fold", d)
    if compiled is None:
        return None
    grad = backend.array_module_of(d).zeros(padded_shape, dtype=d.dtype)
    _run(compiled.fold_windows, grad.size, d, *stride, *dilation, grad)
    return grad
