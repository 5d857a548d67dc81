"""How a Tensor prints: like PyTorch, so printed outputs of ported listings look familiar.

    tensor([[1.0000, 0.5000],
            [2.0000, 3.0000]], requires_grad=True)
"""
from __future__ import annotations

import numpy as np

from . import backend

_PREFIX = "tensor("


def _format_array(array: np.ndarray) -> str:
    """Elements as PyTorch shows them: integers plainly, floats with 4 decimals unless they
    are all whole numbers (then ``1.``), large/small magnitudes in scientific notation."""
    options = {"separator": ", ", "prefix": _PREFIX, "threshold": 1000, "edgeitems": 3}
    if backend.is_floating(array.dtype) and array.dtype.kind != "f":  # bfloat16
        array = array.astype(np.float32)
    if array.dtype.kind == "f" and array.size:
        finite = array[np.isfinite(array)]
        whole = finite.size == 0 or bool(np.all(finite == np.round(finite)))
        big = finite.size and (np.abs(finite).max() >= 1e8 or
                               0 < np.abs(finite[finite != 0]).min(initial=1) < 1e-4)
        if big:
            options["formatter"] = {"float_kind": lambda v: f"{v:.4e}"}
        elif not whole:
            options.update(precision=4, floatmode="fixed")
    return np.array2string(array, **options)


def tensor_repr(t) -> str:
    """``tensor(<values>[, dtype=...][, device=...][, grad_fn=<...>|requires_grad=True])``."""
    extras = []
    if t.dtype not in (backend.DEFAULT_FLOAT, np.dtype(np.int64), np.dtype(np.bool_)):
        extras.append(f"dtype=minigrad.{t.dtype}")
    if t.device != "cpu":
        extras.append(f"device='{t.device}'")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    body = _format_array(backend.to_device(t.array, "cpu"))
    return _PREFIX + ", ".join([body] + extras) + ")"
