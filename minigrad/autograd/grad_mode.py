"""Grad mode: whether operations are recorded for backward, one flag per thread.

``no_grad()`` (evaluation, parameter updates), ``enable_grad()`` (recording back on inside it),
``set_grad_enabled(mode)`` and ``inference_mode()``, each usable as ``with ...:`` and (all but
``set_grad_enabled``) as a decorator.  The flag lives in a ``threading.local``: a ``no_grad()``
evaluation in one thread never switches recording off for a training step in another.
"""
from __future__ import annotations

import functools
import threading

class _GradState(threading.local):
    """Grad mode, one flag per thread (a new thread starts with recording on)."""

    enabled = True


_state = _GradState()


def is_grad_enabled() -> bool:
    """True when operations are being recorded for backward (in this thread)."""
    return _state.enabled


class set_grad_enabled:
    """``set_grad_enabled(False)`` turns recording off; used as ``with set_grad_enabled(mode):``
    it restores the previous mode after the block, as a plain call it just sets it."""

    def __init__(self, mode: bool):
        self._previous = _state.enabled
        _state.enabled = bool(mode)

    def __enter__(self):
        return None

    def __exit__(self, *exc_info):
        _state.enabled = self._previous


class _GradMode:
    """Context manager and decorator that sets grad mode for a block and restores it after."""

    enabled: bool

    def __enter__(self):
        self._previous = _state.enabled
        _state.enabled = self.enabled

    def __exit__(self, *exc_info):
        _state.enabled = self._previous

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with type(self)():
                return function(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """``with minigrad.no_grad():`` (or ``@minigrad.no_grad()``): record nothing inside."""

    enabled = False


class enable_grad(_GradMode):
    """Turn recording back on inside a ``no_grad`` block."""

    enabled = True


class inference_mode(no_grad):
    """PyTorch's ``inference_mode``: here the same as ``no_grad`` (nothing is recorded; tensors
    made inside are ordinary tensors, not marked as inference tensors)."""
