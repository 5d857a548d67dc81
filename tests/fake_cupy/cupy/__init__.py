"""A strict CuPy stand-in for the test suite (see README, "GPU"): NumPy underneath, and only
what CuPy accepts on top — the functions minigrad calls, each with CuPy's signature (read from
CuPy 13/14's sources), and CuPy's refusals (``_core``'s docstring lists them).  It is put on
``sys.path`` as ``cupy`` by the ``cuda`` fixture in ``tests/conftest.py`` when no GPU is
present; it proves the device path's *logic* (no implicit transfer, no NumPy-only API), not its
speed, kernel launches, memory or CUDA's floating-point results.
"""
from __future__ import annotations

import numpy

from . import cuda, lib, random  # noqa: F401  (CuPy's submodules)
from ._core import _index, _operand, _sync, _upload, host_syncs, host_to_device_copies, ndarray, wrap

__version__ = "14.0.0+stand-in"
STAND_IN = True

# dtypes and constants are NumPy's, as in CuPy
bool_, int8, int16, int32, int64, uint8 = (numpy.bool_, numpy.int8, numpy.int16, numpy.int32,
                                           numpy.int64, numpy.uint8)
float16, float32, float64 = numpy.float16, numpy.float32, numpy.float64
dtype, inf, nan, pi, e, newaxis = numpy.dtype, numpy.inf, numpy.nan, numpy.pi, numpy.e, None


def _arrays(values):
    """A sequence of stand-in arrays (NumPy arrays are refused, as CuPy's routines do)."""
    return [_operand(v) for v in values]


# ----------------------------------------------------------------------------- transfers
def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0, *, blocking=False):
    """Host data (NumPy arrays, lists, numbers) to the device, or a device copy."""
    if not isinstance(obj, ndarray):
        _upload()
    data = obj._a if isinstance(obj, ndarray) else obj
    return wrap(numpy.array(data, dtype=dtype, copy=copy, order=order, ndmin=ndmin))


def asarray(a, dtype=None, order=None, *, copy=None, blocking=False):
    if not isinstance(a, ndarray):
        _upload()
    data = a._a if isinstance(a, ndarray) else a
    result = numpy.asarray(data, dtype=dtype, order=order)
    return a if isinstance(a, ndarray) and result is a._a else wrap(result)


asanyarray = asarray


def ascontiguousarray(a, dtype=None):
    return wrap(numpy.ascontiguousarray(_operand(a), dtype=dtype))


def asnumpy(a, stream=None, order="C", out=None, *, blocking=True):
    if isinstance(a, ndarray):
        return a.get(order=order)
    return numpy.asarray(a, order=order)


def get_array_module(*args):
    return __import__(__name__) if any(isinstance(a, ndarray) for a in args) else numpy


# ----------------------------------------------------------------------------- creation
def empty(shape, dtype=float, order="C"):
    return wrap(numpy.empty(shape, dtype=dtype, order=order))


def zeros(shape, dtype=float, order="C"):
    return wrap(numpy.zeros(shape, dtype=dtype, order=order))


def ones(shape, dtype=float, order="C"):
    return wrap(numpy.ones(shape, dtype=dtype, order=order))


def full(shape, fill_value, dtype=None, order="C"):
    return wrap(numpy.full(shape, _operand(fill_value), dtype=dtype, order=order))


def empty_like(a, dtype=None, order="K", subok=None, shape=None):
    return wrap(numpy.empty_like(_operand(a), dtype=dtype, order=order, shape=shape))


def zeros_like(a, dtype=None, order="K", subok=None, shape=None):
    return wrap(numpy.zeros_like(_operand(a), dtype=dtype, order=order, shape=shape))


def ones_like(a, dtype=None, order="K", subok=None, shape=None):
    return wrap(numpy.ones_like(_operand(a), dtype=dtype, order=order, shape=shape))


def full_like(a, fill_value, dtype=None, order="K", subok=None, shape=None):
    return wrap(numpy.full_like(_operand(a), _operand(fill_value), dtype=dtype, order=order,
                                shape=shape))


def arange(start, stop=None, step=1, dtype=None):
    return wrap(numpy.arange(start, stop, step, dtype=dtype) if stop is not None
                else numpy.arange(start, step=step, dtype=dtype))


def eye(N, M=None, k=0, dtype=float, order="C"):
    return wrap(numpy.eye(N, M, k, dtype=dtype, order=order))


def tril(m, k=0):
    return wrap(numpy.tril(_operand(m), k))


def triu(m, k=0):
    return wrap(numpy.triu(_operand(m), k))


def indices(dimensions, dtype=int):
    """No ``sparse`` argument in CuPy."""
    return wrap(numpy.indices(dimensions, dtype=dtype))


def ix_(*args):
    return wrap(numpy.ix_(*[_index(a) for a in args]))


# ----------------------------------------------------------------------------- ufuncs
def _ufunc(name: str):
    numpy_ufunc = getattr(numpy, name)

    def ufunc(*args, out=None, dtype=None, casting="same_kind"):
        inputs = [_operand(a) for a in args]
        if out is not None:
            numpy_ufunc(*inputs, out=out._a, dtype=dtype, casting=casting)
            return out
        return wrap(numpy_ufunc(*inputs, dtype=dtype, casting=casting))
    ufunc.__name__ = ufunc.__qualname__ = name
    return ufunc


_UFUNCS = ("exp expm1 log log1p log2 log10 sqrt square tanh sin cos tan abs absolute sign "
           "negative reciprocal floor ceil trunc isfinite isnan isinf logical_not invert "
           "add subtract multiply divide true_divide floor_divide power maximum minimum "
           "remainder fmax fmin greater greater_equal less less_equal equal not_equal logical_and "
           "logical_or logical_xor bitwise_and bitwise_or bitwise_xor arctan2 hypot")
for _name in _UFUNCS.split():
    globals()[_name] = _ufunc(_name)


def where(condition, x=None, y=None):
    """CuPy's where casts ``condition`` with ``.astype``: a Python bool has none."""
    if (x is None) != (y is None):
        raise ValueError("Must provide both 'x' and 'y' or neither.")
    if x is None:
        return condition.nonzero()
    condition = condition.astype("?", copy=False)
    return wrap(numpy.where(condition._a, _operand(x), _operand(y)))


def clip(a, a_min, a_max, out=None):
    return wrap(numpy.clip(_operand(a), None if a_min is None else _operand(a_min),
                           None if a_max is None else _operand(a_max)))


def matmul(x1, x2, /, out=None, casting="same_kind", dtype=None):
    if out is not None:  # CuPy writes into ``out`` as NumPy does
        numpy.matmul(_operand(x1), _operand(x2), out=out._a, dtype=dtype, casting=casting)
        return out
    return wrap(numpy.matmul(_operand(x1), _operand(x2), dtype=dtype))


def dot(a, b, out=None):
    return wrap(numpy.dot(_operand(a), _operand(b)))


def einsum(*operands, **kwargs):
    unknown = set(kwargs) - {"dtype", "out", "optimize", "casting"}
    if unknown:
        raise TypeError(f"Unknown keyword arguments: {sorted(unknown)}")
    kwargs.pop("optimize", None)
    return wrap(numpy.einsum(operands[0], *_arrays(operands[1:]), **kwargs))


# ----------------------------------------------------------------------------- reductions
def sum(a, axis=None, dtype=None, out=None, keepdims=False):  # noqa: A001
    return a.sum(axis, dtype, out, keepdims)


def prod(a, axis=None, dtype=None, out=None, keepdims=False):
    return a.prod(axis, dtype, out, keepdims)


def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    return a.mean(axis, dtype, out, keepdims)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return a.var(axis, dtype, out, ddof, keepdims)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return a.std(axis, dtype, out, ddof, keepdims)


def amax(a, axis=None, out=None, keepdims=False):
    """No ``initial`` (nor ``where``) in CuPy."""
    return a.max(axis, out, keepdims)


def amin(a, axis=None, out=None, keepdims=False):
    return a.min(axis, out, keepdims)


max, min = amax, amin  # noqa: A001


def argmax(a, axis=None, dtype=None, out=None, keepdims=False):
    return a.argmax(axis, out, dtype, keepdims)


def argmin(a, axis=None, dtype=None, out=None, keepdims=False):
    return a.argmin(axis, out, dtype, keepdims)


def all(a, axis=None, out=None, keepdims=False):  # noqa: A001
    return a.all(axis, out, keepdims)


def any(a, axis=None, out=None, keepdims=False):  # noqa: A001
    return a.any(axis, out, keepdims)


def cumsum(a, axis=None, dtype=None, out=None):
    return a.cumsum(axis, dtype, out)


def cumprod(a, axis=None, dtype=None, out=None):
    return wrap(numpy.cumprod(_operand(a), axis=axis, dtype=dtype))


def count_nonzero(a, axis=None):
    return wrap(numpy.count_nonzero(_operand(a), axis=axis))


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True):
    _sync()  # the result's size depends on the data
    return wrap(numpy.unique(_operand(ar), return_index, return_inverse, return_counts, axis))


def nonzero(a):
    return a.nonzero()


# ----------------------------------------------------------------------------- shapes
def reshape(a, newshape, order="C", *, copy=None):
    return a.reshape(newshape, order=order)


def ravel(a, order="C"):
    return a.ravel(order)


def transpose(a, axes=None):
    return a.transpose(axes)


def swapaxes(a, axis1, axis2):
    return a.swapaxes(axis1, axis2)


def moveaxis(a, source, destination):
    return wrap(numpy.moveaxis(_operand(a), source, destination))


def broadcast_to(array, shape):
    return wrap(numpy.broadcast_to(_operand(array), shape))


def expand_dims(a, axis):
    return wrap(numpy.expand_dims(_operand(a), axis))


def squeeze(a, axis=None):
    return a.squeeze(axis)


def flip(a, axis=None):
    return wrap(numpy.flip(_operand(a), axis))


def roll(a, shift, axis=None):
    return wrap(numpy.roll(_operand(a), shift, axis))


def argsort(a, axis=-1, kind=None):
    """CuPy sorts stably whatever ``kind`` says (Thrust's radix/merge sort)."""
    return wrap(numpy.argsort(_operand(a), axis=axis, kind="stable"))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return wrap(numpy.isclose(_operand(a), _operand(b), rtol, atol, equal_nan))


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True):
    results = numpy.unique(_operand(ar), return_index, return_inverse, return_counts, axis,
                           equal_nan=equal_nan)
    return tuple(wrap(r) for r in results) if isinstance(results, tuple) else wrap(results)


def concatenate(tup, axis=0, out=None, *, dtype=None, casting="same_kind"):
    return wrap(numpy.concatenate(_arrays(tup), axis=axis, dtype=dtype, casting=casting))


def stack(tup, axis=0, out=None, *, dtype=None, casting="same_kind"):
    return wrap(numpy.stack(_arrays(tup), axis=axis, dtype=dtype, casting=casting))


def vstack(tup, *, dtype=None, casting="same_kind"):
    return wrap(numpy.vstack(_arrays(tup), dtype=dtype, casting=casting))


def split(ary, indices_or_sections, axis=0):
    return wrap(numpy.split(_operand(ary), indices_or_sections, axis))


def repeat(a, repeats, axis=None):
    return a.repeat(repeats, axis)


def tile(A, reps):
    return wrap(numpy.tile(_operand(A), reps))


def pad(array, pad_width, mode="constant", **kwargs):
    if mode != "constant" or set(kwargs) - {"constant_values"}:
        raise NotImplementedError(f"stand-in: pad mode {mode!r} with {sorted(kwargs)}")
    return wrap(numpy.pad(_operand(array), pad_width, mode, **kwargs))


def take_along_axis(a, indices, axis):
    return wrap(numpy.take_along_axis(_operand(a), _operand(indices), axis))


def copyto(dst, src, casting="same_kind", where=None):
    numpy.copyto(dst._a, _operand(src), casting=casting,
                 where=True if where is None else _operand(where))


def shape(a):
    return a.shape


def ndim(a):
    return a.ndim


__all__ = [n for n in dir() if not n.startswith("_")]
