"""What the ops ask about their arrays: the array module, the device, seeding, transfers.

minigrad's ops never ask "am I on the GPU?".  They ask the data for its array module
(``xp = array_module_of(x)``) and call ``xp.exp``, ``xp.matmul``...  NumPy on the CPU, CuPy on a
GPU, ``minigrad.differentiable`` for a Tensor (a backward that builds a graph).  Each device is
one backend object (``minigrad.devices``: ``cpu``, ``cuda``), which alone knows its arrays,
its random generator and its kernels' target; the few primitives NumPy and CuPy spell
differently (``erf``, ``scatter_add``, ``as_strided``) are its methods, so the ops have one
code path for both.

Whether an op family runs as a fused Numba kernel instead (``minigrad_kernels``) is decided
in one place, the kernel door ``minigrad.kernels``, from the measured ``kernel_table``: several
families on the CPU, none on a GPU until a GPU session has measured them there (CuPy's
kernels and cuBLAS run every op on the GPU meanwhile).
"""
from __future__ import annotations

import numpy as np

from . import random
from .devices import BACKENDS, backend, backend_of
from .devices.cpu import numpy_for_formulas

DEFAULT_FLOAT = np.dtype(np.float32)
"""dtype of tensors made from Python floats, like PyTorch's default."""

DEVICES = tuple(BACKENDS)
"""The device names: one per backend of ``minigrad.devices``."""


def normalize_device(device) -> str:
    """'cpu', 'cuda', 'cuda:0' or None (-> 'cpu') to one of DEVICES."""
    if device is None:
        return "cpu"
    name = str(device).split(":")[0]
    if name not in DEVICES:
        raise ValueError(f"unknown device {device!r}: expected one of {DEVICES}")
    return name


def array_module(device) -> object:
    """The array module (numpy or cupy) that holds arrays on ``device`` (checked to be usable
    here: new arrays are made with it)."""
    return backend(normalize_device(device)).checked_xp()


_graph_namespace = None   # minigrad.differentiable, registered by minigrad/__init__.py
_tensor_type = None


def register_graph_namespace(tensor_type: type, namespace) -> None:
    """Make ``array_module_of(a Tensor)`` return ``namespace``: NumPy's names over minigrad's
    differentiable ops, what a backward formula computes with when it builds a graph."""
    global _graph_namespace, _tensor_type
    _tensor_type, _graph_namespace = tensor_type, namespace


def is_tensor(value) -> bool:
    """True for a minigrad Tensor: in a backward formula, the sign that a graph is being built."""
    return _tensor_type is not None and isinstance(value, _tensor_type)


def array_module_of(array) -> object:
    """The array module an array belongs to: NumPy (``numpy_for_formulas``), CuPy for a CuPy
    array, and ``minigrad.differentiable`` for a Tensor (a backward building a graph); NumPy
    for plain numbers."""
    if type(array) is np.ndarray:  # the common case, first
        return numpy_for_formulas
    if _tensor_type is not None and isinstance(array, _tensor_type):
        return _graph_namespace
    return backend_of(array).xp


def device_of(array) -> str:
    """The device name of an array's backend ("cpu" for plain numbers)."""
    return backend_of(array).name


def to_device(array, device):
    """Copy ``array`` to ``device`` (no copy when it is already there); a Tensor moves with
    its differentiable ``to``."""
    if _tensor_type is not None and isinstance(array, _tensor_type):
        return array.to(device)
    device = normalize_device(device)
    if device_of(array) == device:
        return array
    if device == "cpu":
        if _deferred:
            raise_deferred()
        return backend_of(array).to_host(array)
    return backend(device).from_host(array)


# ----------------------------------------------------------------------------- checks on the device
_deferred: list = []    # (condition on a GPU, error type, message) not yet read back
_DEFERRED_LIMIT = 64    # read them back at the latest after this many


def ensure(condition, error: type, message) -> None:
    """Raise ``error(message())`` unless ``condition`` (a 0-d boolean array) holds.

    On the CPU that is checked at once.  Reading a GPU array back makes the host wait for the
    device (a sync that costs a training step much of its speed), so a check on GPU data is
    kept and raised at the next point where the host waits anyway (``item()``, moving a tensor
    to the CPU, ``minigrad.cuda.synchronize()``, the end of a ``fit`` epoch) — as CUDA reports
    its own errors — or after 64 pending checks."""
    if device_of(condition) == "cpu":
        if not bool(condition):
            raise error(message())
        return
    _deferred.append((condition, error, message))
    if len(_deferred) >= _DEFERRED_LIMIT:
        raise_deferred()


def value_if_free(array):
    """The Python value of a 0-d array when reading it costs nothing (it is on the CPU), else
    None: code that can use a value but must not wait for the device for one."""
    return array.item() if device_of(array) == "cpu" else None


def raise_deferred() -> None:
    """Raise the first failed check that ``ensure`` kept for later (one read for all)."""
    if not _deferred:
        return
    pending = list(_deferred)
    _deferred.clear()
    xp = array_module_of(pending[0][0])
    results = to_device(xp.stack([condition for condition, _, _ in pending]), "cpu")
    for ok, (_, error, message) in zip(results, pending):
        if not ok:
            raise error(message())


# ----------------------------------------------------------------------------- bfloat16
def bfloat16() -> np.dtype:
    """bfloat16 (8 exponent bits like float32, 7 mantissa bits) from the ``ml_dtypes``
    package.  A storage dtype here: tensors hold it, cast to and from it, move between
    devices, go through shape ops, indexing and checkpoints; the ops that compute (every op
    with type promotion: elementwise math, activations, losses; and matmul) refuse it with a
    ``DTypeError`` that says to cast to float32 (``promotion.category``).  Reductions without
    promotion (sum, mean) run on it through ml_dtypes' NumPy loops."""
    try:
        import ml_dtypes
    except ImportError:
        raise ImportError("minigrad.bfloat16 comes from the ml_dtypes package: "
                          "pip install ml_dtypes") from None
    return np.dtype(ml_dtypes.bfloat16)


def is_floating(dtype) -> bool:
    """Whether ``dtype`` holds real numbers with a fraction: float16/32/64 and bfloat16."""
    dtype = np.dtype(dtype)
    return dtype.kind == "f" or dtype.name == "bfloat16"


# ----------------------------------------------------------------------------- random numbers
def device_generator(device: str):
    """The random generator that draws on ``device`` (its backend's)."""
    return backend(device).generator()


def seed_device(device: str, seed: int) -> None:
    """Seed ``device``'s own generator (made when first used: no GPU is touched here)."""
    backend(device).seed(seed)


def manual_seed(seed: int):
    """Seed every random draw minigrad makes (initial weights, rand/randn, dropout masks, the
    device generators); returns the default ``Generator``, as ``torch.manual_seed`` does.
    Why the seed gets a stream of its own: ``minigrad.random``."""
    random.default_generator.manual_seed(seed)
    for each in BACKENDS.values():
        each.reset()
    return random.default_generator


def generator() -> np.random.Generator:
    """The NumPy Generator behind the default ``minigrad.Generator``."""
    return BACKENDS["cpu"].generator()


# ----------------------------------------------------------------------------- primitives
def erf(x):
    """The error function, elementwise (NumPy has none; SciPy and CuPy do)."""
    if is_tensor(x):
        return _graph_namespace.erf(x)
    return backend_of(x).erf(x)


def scatter_add(target, index, values) -> None:
    """``target[index] += values`` where repeated indices all add up (an unbuffered add)."""
    backend_of(target).scatter_add(target, index, values)


def scattered(values, index, shape: tuple, unique: bool = False, into=None):
    """``into`` (zeros of ``shape`` when None) with ``values`` added at ``index``; where
    ``index`` picks a position several times its values add up (``unique=True`` promises it
    never does: a faster buffered add).  The backward of every op that picks elements
    (indexing, gather, embedding, a loss's picked class).  On arrays ``into`` is changed in
    place: pass one that nothing else holds."""
    xp = array_module_of(values if into is None else into)
    if xp is _graph_namespace:
        return xp.scattered(values, index, shape, unique, into)
    if into is None:
        into = xp.zeros(shape, dtype=values.dtype)
        if unique:
            into[index] = values
            return into
    if unique:
        into[index] += values
    else:
        scatter_add(into, index, values)
    return into


def broadcast_copy(x, shape: tuple):
    """``x`` copied to every position of ``shape`` (a fresh array: broadcasting's backward
    hands it on, and NumPy's ``broadcast_to`` costs more than the copy for small arrays);
    on a Tensor, the differentiable ``expand``."""
    xp = array_module_of(x)
    if xp is _graph_namespace:
        return xp.broadcast_to(x, shape)
    out = xp.empty(shape, dtype=x.dtype)
    out[...] = x
    return out


def cast(x, dtype):
    """``x`` converted to ``dtype`` (an array's ``astype``; a Tensor's differentiable ``to``)."""
    return x.astype(dtype) if hasattr(x, "astype") else x.to(dtype)


def as_strided(array, shape: tuple, strides: tuple):
    """A read-only view of ``array`` with the given shape and byte strides (no copy)."""
    return backend_of(array).as_strided(array, shape, strides)
