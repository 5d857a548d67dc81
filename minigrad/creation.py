"""Making tensors: from data (``tensor``), filled (``zeros``, ``ones``, ``full``, ``eye``,
``arange``) and random (``rand``, ``randn``), with PyTorch's dtype rules: Python floats become
float32, NumPy arrays keep their dtype, integers become int64."""
from __future__ import annotations

import numpy as np

from . import backend, random
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
    if array.dtype.kind not in "fiub" and not backend.is_floating(array.dtype):
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


def rand(*size, generator=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Uniform samples from [0, 1), drawn from ``generator`` (default: the default one)."""
    dtype = np.dtype(dtype or backend.DEFAULT_FLOAT)
    array = random.numpy_generator(generator).random(_shape(size), dtype=dtype)
    return _make(array, None, requires_grad, device)


def randn(*size, generator=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Samples from the standard normal distribution."""
    dtype = np.dtype(dtype or backend.DEFAULT_FLOAT)
    array = random.numpy_generator(generator).standard_normal(_shape(size), dtype=dtype)
    return _make(array, None, requires_grad, device)


def randint(*bounds_and_size, size=None, generator=None, dtype=None, requires_grad=False,
            device=None) -> Tensor:
    """Integers drawn uniformly from [low, high): ``randint(high, size)`` or
    ``randint(low, high, size)`` (``size`` may also be given by name), int64 unless told."""
    if size is None and bounds_and_size and not isinstance(bounds_and_size[-1], (int, np.integer)):
        *bounds_and_size, size = bounds_and_size
    if size is None or len(bounds_and_size) not in (1, 2):
        raise TypeError(f"randint: expected (high, size) or (low, high, size), got "
                        f"{tuple(bounds_and_size)} and size={size}")
    low, high = (0, *bounds_and_size) if len(bounds_and_size) == 1 else bounds_and_size
    if low >= high:
        raise ValueError(f"randint: low ({low}) must be less than high ({high})")
    array = random.numpy_generator(generator).integers(low, high, _shape(size), dtype=np.int64)
    return _make(array, dtype, requires_grad, device)


def randperm(n: int, generator=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    """A random permutation of 0, 1, ..., n - 1 (int64 unless told)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"randperm: n must be a non-negative integer, got {n!r}")
    array = random.numpy_generator(generator).permutation(int(n)).astype(np.int64)
    return _make(array, dtype, requires_grad, device)


def multinomial(input, num_samples: int, replacement: bool = False, generator=None) -> Tensor:
    """Indices drawn from the categories of each row of ``input`` (1-D, or 2-D: one draw per
    row), with probability proportional to its non-negative weights; without ``replacement``
    a category is drawn at most once per row."""
    weights = np.asarray(backend.to_device(input.array if isinstance(input, Tensor) else
                                           np.asarray(input), "cpu"), dtype=np.float64)
    if weights.ndim not in (1, 2) or weights.shape[-1] == 0:
        raise ValueError(f"multinomial: expected a 1-D or 2-D tensor of weights, got shape "
                         f"{weights.shape}")
    rows = weights.reshape(-1, weights.shape[-1])
    if not np.isfinite(rows).all() or (rows < 0).any() or (rows.sum(axis=1) <= 0).any():
        raise ValueError("multinomial: the weights must be finite, non-negative and not all "
                         "zero in a row")
    fewest = int((rows > 0).sum(axis=1).min())  # categories a row can draw without replacement
    if not replacement and num_samples > fewest:
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement "
                         f"from a row with {fewest} non-zero weights")
    rng = random.numpy_generator(generator)
    drawn = np.stack([rng.choice(len(row), num_samples, replace=replacement, p=row / row.sum())
                      for row in rows]).astype(np.int64)
    device = input.device if isinstance(input, Tensor) else "cpu"
    return _make(drawn.reshape(*weights.shape[:-1], num_samples), None, False, device)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None) -> Tensor:
    """[start, start + step, ...) up to ``end``; int64 for integer arguments, else float32."""
    if end is None:
        start, end = 0, start
    integral = all(isinstance(v, int) for v in (start, end, step))
    array = np.arange(start, end, step, dtype=np.int64 if integral else backend.DEFAULT_FLOAT)
    return _make(array, dtype, requires_grad, device)


def linspace(start, end, steps: int, dtype=None, requires_grad=False, device=None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included (float32 unless
    told)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative integer, got {steps!r}")
    array = np.linspace(float(start), float(end), int(steps))
    return _make(array.astype(np.dtype(dtype or backend.DEFAULT_FLOAT)), None, requires_grad,
                 device)


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
