"""Making tensors: from data (``tensor``), filled (``zeros``, ``ones``, ``full``, ``eye``,
``arange``) and random (``rand``, ``randn``), with PyTorch's dtype rules: Python floats become
float32, NumPy arrays keep their dtype, integers become int64."""
from __future__ import annotations

import numpy as np

from . import backend
from .tensor import Tensor


def as_array(data, dtype=None, device=None):
    """``data`` (a Tensor, an array, nested lists or a number) as a new array on ``device``
    (default: where the data already is)."""
    if isinstance(data, Tensor):
        data = data.array
    target = backend.normalize_device(device) if device is not None else backend.device_of(data)
    if backend.device_of(data) != target:
        data = backend.to_device(data, target)
    array = backend.array_module(target).array(data)  # always a copy
    if dtype is not None:
        array = array.astype(np.dtype(dtype), copy=False)
    elif not hasattr(data, "dtype") and array.dtype == np.float64:  # Python floats
        array = array.astype(backend.DEFAULT_FLOAT)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"tensor: unsupported data of dtype {array.dtype} ({type(data).__name__})")
    return array


def tensor(data, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A new leaf tensor holding a copy of ``data``."""
    return Tensor(data, dtype=dtype, requires_grad=requires_grad, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares memory with ``array`` and keeps its dtype."""
    return Tensor._wrap(array, None)


def _make(array, dtype, requires_grad, device) -> Tensor:
    if dtype is not None:
        array = array.astype(np.dtype(dtype), copy=False)
    out = Tensor._wrap(backend.to_device(array, backend.normalize_device(device)), None)
    return out.requires_grad_(True) if requires_grad else out


def empty(*size, dtype=None, requires_grad=False, device=None) -> Tensor:
    """An uninitialized tensor (for weights that an init function fills next)."""
    dtype = np.dtype(dtype or backend.DEFAULT_FLOAT)
    return _make(np.empty(_shape(size), dtype=dtype), None, requires_grad, device)


def zeros(*size, dtype=None, requires_grad=False, device=None) -> Tensor:
    return full(size, 0.0, dtype=dtype, requires_grad=requires_grad, device=device)


def ones(*size, dtype=None, requires_grad=False, device=None) -> Tensor:
    return full(size, 1.0, dtype=dtype, requires_grad=requires_grad, device=device)


def full(size, fill_value, dtype=None, requires_grad=False, device=None) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (float32 unless told otherwise
    or the value is an int/bool, as in PyTorch)."""
    size = _shape(size)
    if dtype is None:
        dtype = np.array(fill_value).dtype if isinstance(fill_value, (bool, int)) \
            else backend.DEFAULT_FLOAT
    return _make(np.full(size, fill_value, dtype=dtype), None, requires_grad, device)


def zeros_like(t: Tensor, dtype=None, requires_grad=False, device=None) -> Tensor:
    return full_like(t, 0, dtype, requires_grad, device)


def ones_like(t: Tensor, dtype=None, requires_grad=False, device=None) -> Tensor:
    return full_like(t, 1, dtype, requires_grad, device)


def full_like(t: Tensor, fill_value, dtype=None, requires_grad=False, device=None) -> Tensor:
    return full(t.shape, fill_value, dtype=dtype or t.dtype, requires_grad=requires_grad,
                device=device or t.device)


def rand_like(t: Tensor, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Uniform samples from [0, 1) in the shape (and dtype, device) of ``t``."""
    return rand(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad,
                device=device or t.device)


def randn_like(t: Tensor, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Standard normal samples in the shape (and dtype, device) of ``t``."""
    return randn(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad,
                 device=device or t.device)


def rand(*size, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Uniform samples from [0, 1)."""
    dtype = np.dtype(dtype or backend.DEFAULT_FLOAT)
    array = backend.generator().random(_shape(size), dtype=dtype)
    return _make(array, None, requires_grad, device)


def randn(*size, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Samples from the standard normal distribution."""
    dtype = np.dtype(dtype or backend.DEFAULT_FLOAT)
    array = backend.generator().standard_normal(_shape(size), dtype=dtype)
    return _make(array, None, requires_grad, device)


def randint(low: int, high: int, size, dtype=None, device=None) -> Tensor:
    """Integers drawn uniformly from [low, high)."""
    array = backend.generator().integers(low, high, _shape(size), dtype=np.int64)
    return _make(array, dtype, False, device)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None) -> Tensor:
    """[start, start + step, ...) up to ``end``; int64 for integer arguments, else float32."""
    if end is None:
        start, end = 0, start
    integral = all(isinstance(v, int) for v in (start, end, step))
    array = np.arange(start, end, step, dtype=np.int64 if integral else backend.DEFAULT_FLOAT)
    return _make(array, dtype, requires_grad, device)


def eye(n: int, m: int | None = None, dtype=None, requires_grad=False, device=None) -> Tensor:
    """The n x m identity matrix."""
    array = np.eye(n, m, dtype=dtype or backend.DEFAULT_FLOAT)
    return _make(array, None, requires_grad, device)


def _shape(size) -> tuple:
    """``(2, 3)``, ``((2, 3),)``, ``([2, 3],)`` or ``2`` as a shape tuple."""
    if isinstance(size, int):
        return (size,)
    size = tuple(size)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return size
