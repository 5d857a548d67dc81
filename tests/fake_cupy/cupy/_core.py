"""The stand-in's ndarray: a NumPy array underneath, CuPy's rules on top.

What CuPy refuses, this refuses, with CuPy's own error messages:

- implicit conversion to NumPy: ``np.asarray(x)``, ``np.array(x)`` (``__array__`` raises);
  the explicit ways are ``x.get()`` and ``cupy.asnumpy(x)``;
- NumPy arrays (even 0-d ones) as operands of arithmetic, comparisons and ufuncs: CuPy's
  kernels take CuPy arrays and Python/NumPy *scalars* only ("Unsupported type");
- NumPy's own ``flags``: CuPy's have only ``c_contiguous``, ``f_contiguous`` and ``owndata``;
- ``x.numpy()`` and other NumPy-only methods (they do not exist).

What CuPy allows, this allows: NumPy arrays or lists as *indices* and as values assigned into a
slice (CuPy copies them to the device), NumPy ufuncs and functions called on CuPy arrays
(``__array_ufunc__``/``__array_function__`` hand them to the cupy function of the same name),
and ``float(x)``/``int(x)``/``bool(x)``/``x.item()`` on one-element arrays.  Each of those last
reads waits for the device: the stand-in counts them (``host_syncs()``).
"""
from __future__ import annotations

import operator

import numpy

_SYNCS, _UPLOADS = [0], [0]


def host_syncs() -> int:
    """How many times the host has read device data (get, item, float(), bool(), ...)."""
    return _SYNCS[0]


def host_to_device_copies() -> int:
    """How many times host data was copied to the device (cupy.array/asarray of NumPy data,
    NumPy values assigned into a device array)."""
    return _UPLOADS[0]


def _sync():
    _SYNCS[0] += 1


def _upload():
    _UPLOADS[0] += 1


class Flags:
    """cupy.ndarray.flags: only these three (CuPy has no ``writeable``)."""

    def __init__(self, c_contiguous, f_contiguous, owndata):
        self.c_contiguous, self.f_contiguous, self.owndata = c_contiguous, f_contiguous, owndata

    def __getitem__(self, name):
        table = {"C_CONTIGUOUS": self.c_contiguous, "F_CONTIGUOUS": self.f_contiguous,
                 "OWNDATA": self.owndata}
        if name not in table:
            raise KeyError(f"{name} is not defined for cupy.ndarray.flags")
        return table[name]


def _operand(value):
    """A kernel argument: a CuPy array's data, or a Python/NumPy scalar; anything else is
    refused as CuPy's ``_preprocess_args`` refuses it."""
    if isinstance(value, ndarray):
        return value._a
    if isinstance(value, (bool, int, float, complex, numpy.generic)):
        return value
    raise TypeError(f"Unsupported type {type(value)}")


def _index(value):
    """An index: CuPy arrays, and NumPy arrays or lists (copied to the device), ints, slices."""
    if isinstance(value, tuple):
        return tuple(_index(v) for v in value)
    if isinstance(value, ndarray):
        return value._a
    if isinstance(value, list):
        return numpy.asarray([_index(v) for v in value]) if value and \
            isinstance(value[0], ndarray) else numpy.asarray(value)
    return value


def _wrapped(index, shape):
    """Integer-array indices taken modulo their axis, as CuPy's gather does: CuPy does not
    check bounds (an out-of-range index reads a wrapped-around element, it raises nothing)."""
    items = index if isinstance(index, tuple) else (index,)
    if any(i is Ellipsis or i is None for i in items):
        return index
    out = tuple(i % shape[axis] if isinstance(i, numpy.ndarray) and i.dtype.kind in "iu"
                and shape[axis] else i for axis, i in enumerate(items))
    return out if isinstance(index, tuple) else out[0]


def wrap(result):
    """NumPy results back as stand-in arrays (0-d results stay arrays, as CuPy's do)."""
    if isinstance(result, numpy.ndarray):
        return ndarray._of(result)
    if isinstance(result, numpy.generic):
        return ndarray._of(numpy.asarray(result))
    if isinstance(result, (tuple, list)):
        return type(result)(wrap(r) for r in result)
    return result


def _binary(op):
    def method(self, other):
        return wrap(op(self._a, _operand(other)))
    return method


def _reflected(op):
    def method(self, other):
        return wrap(op(_operand(other), self._a))
    return method


def _inplace(op):
    def method(self, other):
        op(self._a, _operand(other))
        return self
    return method


class ndarray:
    """cupy.ndarray over a NumPy array (``_a``)."""

    __slots__ = ("_a", "__weakref__")
    __array_priority__ = 100

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order="C"):
        self._a = numpy.empty(shape, dtype=dtype, order=order)

    @classmethod
    def _of(cls, array: numpy.ndarray) -> "ndarray":
        out = object.__new__(cls)
        out._a = array
        return out

    # -------------------------------------------------------------- what it is
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    T = property(lambda self: wrap(self._a.T))
    mT = property(lambda self: wrap(numpy.swapaxes(self._a, -1, -2)))
    device = property(lambda self: "cuda:0")

    @property
    def flags(self):
        f = self._a.flags
        return Flags(f.c_contiguous, f.f_contiguous, f.owndata)

    @property
    def base(self):
        return None if self._a.base is None else wrap(self._a.base)

    def __repr__(self):
        return "array(" + repr(self._a)[6:]

    # -------------------------------------------------------------- to the host
    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. Please use "
                        "`.get()` to construct a NumPy array explicitly.")

    def get(self, stream=None, order="C", out=None, blocking=True):
        _sync()
        return numpy.array(self._a, order=order)

    def item(self):
        _sync()
        return self._a.item()

    def tolist(self):
        _sync()
        return self._a.tolist()

    def __float__(self):
        _sync()
        return float(self._a)

    def __int__(self):
        _sync()
        return int(self._a)

    def __complex__(self):
        _sync()
        return complex(self._a)

    def __bool__(self):
        _sync()
        return bool(self._a)

    def __len__(self):
        if self._a.ndim == 0:
            raise TypeError("len() of unsized object")
        return len(self._a)

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self._a.shape[0]))

    # -------------------------------------------------------------- indexing
    def __getitem__(self, index):
        return wrap(self._a[_wrapped(_index(index), self._a.shape)])

    def __setitem__(self, index, value):
        if isinstance(value, ndarray):
            value = value._a
        elif isinstance(value, (numpy.ndarray, list)):
            _upload()
        elif not isinstance(value, (bool, int, float, complex, numpy.generic)):
            raise TypeError(f"Unsupported type {type(value)}")
        self._a[_index(index)] = value

    # -------------------------------------------------------------- arithmetic
    __add__, __radd__, __iadd__ = _binary(operator.add), _reflected(operator.add), \
        _inplace(operator.iadd)
    __sub__, __rsub__, __isub__ = _binary(operator.sub), _reflected(operator.sub), \
        _inplace(operator.isub)
    __mul__, __rmul__, __imul__ = _binary(operator.mul), _reflected(operator.mul), \
        _inplace(operator.imul)
    __truediv__, __rtruediv__, __itruediv__ = _binary(operator.truediv), \
        _reflected(operator.truediv), _inplace(operator.itruediv)
    __floordiv__, __rfloordiv__ = _binary(operator.floordiv), _reflected(operator.floordiv)
    __mod__, __rmod__ = _binary(operator.mod), _reflected(operator.mod)
    __pow__, __rpow__, __ipow__ = _binary(operator.pow), _reflected(operator.pow), \
        _inplace(operator.ipow)
    __matmul__, __rmatmul__ = _binary(operator.matmul), _reflected(operator.matmul)
    __and__, __rand__, __iand__ = _binary(operator.and_), _reflected(operator.and_), \
        _inplace(operator.iand)
    __or__, __ror__, __ior__ = _binary(operator.or_), _reflected(operator.or_), \
        _inplace(operator.ior)
    __xor__, __rxor__ = _binary(operator.xor), _reflected(operator.xor)
    __lt__, __le__, __gt__, __ge__ = (_binary(operator.lt), _binary(operator.le),
                                      _binary(operator.gt), _binary(operator.ge))
    __eq__, __ne__ = _binary(operator.eq), _binary(operator.ne)
    __hash__ = None

    def __neg__(self):
        return wrap(-self._a)

    def __pos__(self):
        return self

    def __abs__(self):
        return wrap(abs(self._a))

    def __invert__(self):
        return wrap(~self._a)

    # -------------------------------------------------------------- NumPy's protocols
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        import cupy
        function = getattr(cupy, ufunc.__name__, None)
        if method != "__call__" or function is None:
            return NotImplemented
        return function(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        import cupy
        function = getattr(cupy, func.__name__, None)
        if function is None or function is func:
            return NotImplemented
        return function(*args, **kwargs)

    # -------------------------------------------------------------- methods (CuPy's signatures)
    def reshape(self, *shape, order="C", copy=None):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return wrap(self._a.reshape(shape, order=order))

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        return wrap(self._a.transpose(axes or None))

    def swapaxes(self, axis1, axis2):
        return wrap(self._a.swapaxes(axis1, axis2))

    def ravel(self, order="C"):
        return wrap(self._a.ravel(order))

    def flatten(self, order="C"):
        return wrap(self._a.flatten(order))

    def squeeze(self, axis=None):
        return wrap(self._a.squeeze(axis))

    def astype(self, dtype, order="K", casting=None, subok=None, copy=True):
        return wrap(self._a.astype(dtype, order=order, copy=copy))

    def copy(self, order="C"):
        return wrap(self._a.copy(order))

    def fill(self, value):
        self._a.fill(_operand(value))

    def view(self, dtype=None):
        return wrap(self._a.view() if dtype is None else self._a.view(dtype))

    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        return _reduce(self._a.sum, axis, out, keepdims, dtype=dtype)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False):
        return _reduce(self._a.prod, axis, out, keepdims, dtype=dtype)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False):
        return _reduce(self._a.mean, axis, out, keepdims, dtype=dtype)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return _reduce(self._a.var, axis, out, keepdims, dtype=dtype, ddof=ddof)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return _reduce(self._a.std, axis, out, keepdims, dtype=dtype, ddof=ddof)

    def max(self, axis=None, out=None, keepdims=False):
        return _reduce(self._a.max, axis, out, keepdims)

    def min(self, axis=None, out=None, keepdims=False):
        return _reduce(self._a.min, axis, out, keepdims)

    def all(self, axis=None, out=None, keepdims=False):
        return _reduce(self._a.all, axis, out, keepdims)

    def any(self, axis=None, out=None, keepdims=False):
        return _reduce(self._a.any, axis, out, keepdims)

    def argmax(self, axis=None, out=None, dtype=None, keepdims=False):
        return _reduce(self._a.argmax, axis, out, keepdims)

    def argmin(self, axis=None, out=None, dtype=None, keepdims=False):
        return _reduce(self._a.argmin, axis, out, keepdims)

    def cumsum(self, axis=None, dtype=None, out=None):
        return wrap(self._a.cumsum(axis, dtype))

    def clip(self, min=None, max=None, out=None):
        return wrap(numpy.clip(self._a, _operand_or_none(min), _operand_or_none(max)))

    def nonzero(self):
        _sync()  # the result's size depends on the data: CuPy waits for the device
        return wrap(self._a.nonzero())

    def repeat(self, repeats, axis=None):
        return wrap(self._a.repeat(repeats, axis))

    def take(self, indices, axis=None, out=None):
        return wrap(self._a.take(_index(indices), axis))

    def dot(self, b, out=None):
        return wrap(self._a.dot(_operand(b)))

    def round(self, decimals=0, out=None):
        return wrap(self._a.round(decimals))


def _operand_or_none(value):
    return None if value is None else _operand(value)


def _reduce(method, axis, out, keepdims, **options):
    if out is not None:
        method(axis=axis, out=out._a, keepdims=keepdims, **options)
        return out
    return wrap(method(axis=axis, keepdims=keepdims, **options))
