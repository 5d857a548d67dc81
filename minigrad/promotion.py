"""PyTorch's type promotion: which dtype an op on mixed inputs returns.

NumPy and PyTorch agree when every operand is an array of one dtype, and disagree at the
edges a ported listing meets at once: ``tensor(1) + 0.5`` (NumPy float64, PyTorch float32),
``int_tensor.exp()``, ``0.7 ** int_tensor``, ``float32_tensor * float64_0d_tensor``.  PyTorch's
rule, written out:

1. Each operand has a *category*: bool < integer < floating.
2. Operands come in three priority classes: tensors with dimensions, 0-d tensors, and plain
   numbers (a Python ``float`` counts as the default dtype, float32; an ``int`` as int64).
3. Within a class, dtypes promote as usual (int32 + int64 -> int64, float32 + float64 ->
   float64).  A lower class only matters when it raises the *category*: then it is promoted
   in (``int_tensor + 0.5`` -> float32, ``int_tensor + float64_0d`` -> float64,
   ``bool_tensor + 1`` -> int64), never merely the width (``float32_tensor + float64_0d`` ->
   float32, ``int32_tensor + 2**40`` -> int32).
4. Ops that are only defined on floats (``/``, ``exp``, ``sin``...) turn an integer or bool
   result into the default float dtype.

``result_type`` is that rule; ``promoted`` applies it to an op's raw inputs (arrays cast,
numbers left as numbers: NumPy treats them as "weak" and keeps the array's dtype).
"""
from __future__ import annotations

import numpy as np

from .backend import DEFAULT_FLOAT
from .errors import DTypeError

_INT64 = np.dtype(np.int64)
_BOOL = np.dtype(np.bool_)


_CATEGORIES = {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}


def category(dtype) -> int:
    """0 for bool, 1 for integers, 2 for floats (3 for complex); a storage-only dtype
    (bfloat16) is a ``DTypeError``: no op computes in it."""
    dtype = np.dtype(dtype)
    if dtype.kind not in _CATEGORIES:
        raise DTypeError(f"{dtype} is a storage dtype in minigrad: no op computes in it; cast "
                         f"first (t.float() or t.to(minigrad.float32))")
    return _CATEGORIES[dtype.kind]


def computable(op: str, *arrays) -> None:
    """Refuse, naming ``op``, an input whose dtype no op computes in (bfloat16)."""
    try:
        for array in arrays:
            category(array.dtype)
    except DTypeError as error:
        raise DTypeError(f"{op}: {error}") from None


def _number_dtype(value) -> np.dtype:
    """The dtype PyTorch gives a plain number: bool, int64, or the default float."""
    if isinstance(value, (bool, np.bool_)):
        return _BOOL
    if isinstance(value, (int, np.integer)):
        return _INT64
    return DEFAULT_FLOAT if isinstance(value, (float, np.floating)) else np.dtype(complex)


def promote_types(a, b) -> np.dtype:
    """Two dtypes' common dtype: the higher category's dtype when the categories differ
    (int64 with float32 is float32, where NumPy says float64), else NumPy's rule."""
    ca, cb = category(a), category(b)
    if ca != cb:
        return np.dtype(a if ca > cb else b)
    return np.promote_types(a, b)


def _combine(higher, lower):
    """Fold a lower priority class's dtype into a higher one's (PyTorch's
    ``combine_categories``): only a rise in category counts."""
    if higher is None:
        return lower
    if lower is None or category(higher) >= category(lower):
        return higher
    return promote_types(higher, lower)


def result_type(*operands) -> np.dtype:
    """The dtype PyTorch gives an op on ``operands`` (arrays, Tensors' data, numbers)."""
    classes = [None, None, None]  # dimensioned arrays, 0-d arrays, plain numbers
    for value in operands:
        if hasattr(value, "dtype") and not isinstance(value, np.generic):
            rank, dtype = (0 if value.ndim else 1), value.dtype
        elif isinstance(value, (bool, int, float, complex, np.generic)):
            rank, dtype = 2, _number_dtype(value)
        else:
            continue
        seen = classes[rank]
        classes[rank] = dtype if seen is None else promote_types(seen, dtype)
    return _combine(classes[0], _combine(classes[1], classes[2]))


def float_result_type(*operands) -> np.dtype:
    """``result_type``, with bool and integer results turned into the default float."""
    dtype = result_type(*operands)
    return dtype if category(dtype) >= 2 else DEFAULT_FLOAT


def promoted(raw: list, rule: str, positions=None) -> list:
    """An op's raw inputs with PyTorch's dtypes: arrays cast to the result type, NumPy
    scalars turned into plain numbers (weak in NumPy, like PyTorch's numbers).  ``rule`` is
    ``"common"`` (``result_type``) or ``"float"`` (``float_result_type``); ``positions`` limits
    the promotion to some inputs (``where``'s condition is not promoted)."""
    chosen = range(len(raw)) if positions is None else positions
    if _one_float_dtype(raw[i] for i in chosen):
        return raw  # the common case, decided without building anything
    target = (result_type if rule == "common" else float_result_type)(*(raw[i] for i in chosen))
    out = list(raw)
    for i in chosen:
        value = raw[i]
        if isinstance(value, np.generic):
            out[i] = value.item()
        elif hasattr(value, "dtype") and value.dtype != target:
            out[i] = value.astype(target)
    return out


def _one_float_dtype(values) -> bool:
    """True when the arrays among ``values`` share one floating dtype and the rest are
    Python numbers: nothing to promote."""
    dtype = None
    for value in values:
        kind = type(value)
        if kind is float or kind is int:
            continue
        if kind is not np.ndarray and (isinstance(value, np.generic) or
                                       not hasattr(value, "dtype")):
            return False
        if dtype is None:
            dtype = value.dtype
        elif value.dtype != dtype:
            return False
    return dtype is not None and dtype.kind == "f"


def check_inplace_cast(op: str, result: np.dtype, into: np.dtype) -> None:
    """An in-place op may not need a higher category than its tensor holds
    (``int_tensor.div_(2)`` is an error in PyTorch: the float quotient cannot go back)."""
    if category(result) > category(into):
        raise RuntimeError(f"{op}: result type {np.dtype(result)} can't be cast to the desired "
                           f"output type {np.dtype(into)}")
