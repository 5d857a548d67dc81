"""``nn.utils``: gradient clipping, with PyTorch's names and rules."""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor


def zero_grads(parameters, set_to_none: bool = True) -> None:
    """Clear the gradients of ``parameters`` before the next backward adds into them: set
    to None (PyTorch's default: the memory is freed and the next backward writes a fresh
    gradient) or, with ``set_to_none=False``, to zeros of the same shape.  What
    ``Module.zero_grad`` and ``Optimizer.zero_grad`` both do."""
    for p in parameters:
        if set_to_none or p.grad is None:
            p.grad = None
        else:
            p.grad = Tensor._wrap(p.grad.array * 0, None)


def _with_grads(parameters) -> list:
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale all gradients together so that their joint ``norm_type``-norm is at most
    ``max_norm``: g ← g · min(1, max_norm / (‖g‖ + 1e-6)).  Returns the norm before clipping
    (a 0-d Tensor).  The direction of the step is kept; only its length is limited."""
    params = _with_grads(parameters)
    if not params:
        return Tensor(0.0)
    norm_type = float(norm_type)
    if norm_type == math.inf:
        total = max(float(abs(p.grad.array).max()) for p in params)
    else:
        total = sum(float((abs(p.grad.array.astype(np.float64)) ** norm_type).sum())
                    for p in params) ** (1 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the "
                           f"gradients is {total} (error_if_nonfinite=True)")
    scale = min(1.0, max_norm / (total + 1e-6))
    if scale < 1.0:
        for p in params:
            p.grad.array[...] = p.grad.array * p.grad.dtype.type(scale)
    return Tensor(total)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element to [-clip_value, clip_value]."""
    for p in _with_grads(parameters):
        p.grad.array[...] = p.grad.array.clip(-clip_value, clip_value)
