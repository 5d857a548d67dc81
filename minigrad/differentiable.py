"""NumPy's names over minigrad's differentiable ops: the array module a backward formula
computes with when the engine builds a graph of the gradient (``create_graph=True``).

Every op's backward starts with ``xp = array_module_of(g)``.  On the ordinary backward pass
``g`` is an array and ``xp`` is NumPy (or CuPy); when the gradient itself must be
differentiable, ``g`` and the saved values are Tensors and ``xp`` is this module.  So each
backward formula is written once, and the same lines either compute a gradient fast or record
it as a graph that can be differentiated again (Hessians, double backprop, gradient
penalties).  The functions here take NumPy's arguments (``axis``, ``keepdims``, ``axes``) and
return Tensors; constants (``zeros``, ``arange``, ``sign``, comparisons) are Tensors that
carry no gradient, made on the device of the pass (``on_device``).

Operators (``+ - * / @ **``, comparisons, indexing) and the methods ``reshape``, ``sum``,
``mean``, ``T`` and ``shape``/``ndim``/``dtype`` already mean the same on arrays and Tensors.
"""
from __future__ import annotations

import contextlib
import threading

import numpy as np

from . import backend
from .ops import activations, copies, elementwise, reduce, shape as _shape
from .tensor import Tensor
from .tensor_functions import matmul, maximum, minimum, where  # noqa: F401 - NumPy's names

_pass = threading.local()


@contextlib.contextmanager
def on_device(device: str):
    """Make the constants this module creates live on ``device`` for the block."""
    previous = getattr(_pass, "device", "cpu")
    _pass.device = device
    try:
        yield
    finally:
        _pass.device = previous


def _constant(array) -> Tensor:
    """A Tensor without gradient around a NumPy array, moved to the pass's device."""
    return Tensor._wrap(backend.to_device(array, getattr(_pass, "device", "cpu")), None)


def _data(x):
    return x.array if isinstance(x, Tensor) else x


# ----------------------------------------------------------------------------- elementwise
def exp(x): return elementwise.Exp.apply(x)
def log(x): return elementwise.Log.apply(x)
def log1p(x): return elementwise.Log.apply(x + 1)
def expm1(x): return elementwise.Exp.apply(x) - 1
def sqrt(x): return elementwise.Sqrt.apply(x)
def abs(x): return elementwise.Abs.apply(x)  # noqa: A001 - NumPy's name
def tanh(x): return activations.Tanh.apply(x)
def erf(x): return elementwise.Erf.apply(x)
def sin(x): return elementwise.Sin.apply(x)
def cos(x): return elementwise.Cos.apply(x)
def cumsum(x, axis): return reduce.Cumsum.apply(x, dim=axis)
def prod(x, axis=None, keepdims=False): return reduce.Prod.apply(x, dim=axis, keepdim=keepdims)
def flip(x, axis): return copies.Flip.apply(x, dims=axis)
def roll(x, shift, axis=None): return copies.Roll.apply(x, shifts=shift, dims=axis)
def floor(x): return elementwise.Floor.apply(x)


def sign(x):
    """sign(x), a constant (its derivative is 0 wherever it exists)."""
    return Tensor._wrap(backend.array_module_of(_data(x)).sign(_data(x)), None)


def isfinite(x):
    return Tensor._wrap(backend.array_module_of(_data(x)).isfinite(_data(x)), None)


# ----------------------------------------------------------------------------- reductions
def sum(x, axis=None, keepdims=False):  # noqa: A001 - NumPy's name
    return reduce.Sum.apply(x, dim=axis, keepdim=keepdims)


def mean(x, axis=None, keepdims=False):
    return reduce.Mean.apply(x, dim=axis, keepdim=keepdims)


def var(x, axis=None, keepdims=False, ddof=0):
    return reduce.Var.apply(x, dim=axis, keepdim=keepdims, correction=ddof)


def max(x, axis=None, keepdims=False):  # noqa: A001 - NumPy's name
    return reduce.AMax.apply(x, dim=axis, keepdim=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001 - NumPy's name
    return reduce.AMin.apply(x, dim=axis, keepdim=keepdims)


# ----------------------------------------------------------------------------- shapes
def reshape(x, shape): return x.reshape(shape)
def ascontiguousarray(x): return x
def broadcast_to(x, shape): return _shape.Expand.apply(x, shape=tuple(shape))


def transpose(x, axes=None):
    return _shape.Permute.apply(x, dims=tuple(reversed(range(x.ndim))) if axes is None
                                else tuple(axes))


def swapaxes(x, axis1: int, axis2: int):
    axes = list(range(x.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(x, axes)


def moveaxis(x, source: int, destination: int):
    axes = [a for a in range(x.ndim) if a != source % x.ndim]
    axes.insert(destination % x.ndim, source % x.ndim)
    return transpose(x, axes)


def stack(arrays, axis: int = 0): return _shape.Stack.apply(*arrays, dim=axis)
def concatenate(arrays, axis: int = 0): return _shape.Cat.apply(*arrays, dim=axis)


def split(x, indices_or_sections, axis: int = 0) -> list:
    """NumPy's split: at the given cut points (or into equal sections)."""
    length = x.shape[axis]
    if isinstance(indices_or_sections, int):
        cuts = list(range(0, length, length // indices_or_sections))[1:]
    else:
        cuts = list(indices_or_sections)
    bounds = [0] + cuts + [length]
    return list(_shape.split(x, [b - a for a, b in zip(bounds, bounds[1:])], axis))


def pad(x, pad_width, mode="constant", constant_values=0.0):
    """NumPy's pad, constant mode: ``pad_width`` lists (before, after) per axis."""
    flat = []
    for before, after in reversed(list(pad_width)):
        flat += [before, after]
    return _shape.Pad.apply(x, pad=tuple(flat), value=constant_values)


def scattered(values, index, shape, unique=False, into=None):
    """``into`` (or zeros of ``shape``) with ``values`` added at ``index`` (see
    ``backend.scattered``)."""
    added = _shape.Scattered.apply(values, index=_shape.raw_index(index), shape=tuple(shape),
                                   unique=unique)
    return added if into is None else into + added


# ----------------------------------------------------------------------------- constants
def zeros(shape, dtype=np.float32): return _constant(np.zeros(shape, dtype))
def ones(shape, dtype=np.float32): return _constant(np.ones(shape, dtype))
def arange(*args, **kwargs): return _constant(np.arange(*args, **kwargs))


def zeros_like(x, dtype=None):
    return Tensor._wrap(backend.array_module_of(_data(x)).zeros_like(_data(x), dtype), None)


def ones_like(x, dtype=None):
    return Tensor._wrap(backend.array_module_of(_data(x)).ones_like(_data(x), dtype), None)

