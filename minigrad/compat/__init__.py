"""PyTorch's compatibility names: what scripts call at setup that means nothing (yet) in
minigrad, accepted so the script runs on.  ``backends`` holds PyTorch's flags
(``minigrad.backends.cudnn.allow_tf32``...: not minigrad's devices, which are
``minigrad.devices``); here are ``compile`` (a capture-and-replay compiler is planned; until
then the model is returned as it is, and it says so once) and the float32 matmul precision
setting (minigrad's float32 matmuls are float32 throughout: no TF32, no bfloat16 passes)."""
from __future__ import annotations

import warnings

_PRECISIONS = ("highest", "high", "medium")
_matmul_precision = "highest"
_said_compile = False


def compile(model=None, **options):  # noqa: A001 - PyTorch's name
    """``model`` itself (also as a decorator, ``@compile`` or ``@compile(...)``)."""
    global _said_compile
    if not _said_compile:
        _said_compile = True
        warnings.warn("minigrad.compile: not a compiler yet; the model runs as written",
                      stacklevel=2)
    return model if model is not None else (lambda fn: fn)


def set_float32_matmul_precision(precision: str) -> None:
    """Recorded and checked as PyTorch checks it; minigrad always computes in full float32."""
    global _matmul_precision
    if precision not in _PRECISIONS:
        raise ValueError(f"set_float32_matmul_precision: expected one of {_PRECISIONS}, got "
                         f"{precision!r}")
    _matmul_precision = precision


def get_float32_matmul_precision() -> str:
    return _matmul_precision
