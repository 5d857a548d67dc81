"""The autograd engine (``minigrad.autograd``), in four files:

- ``function.py``: ``Function``, one node of the graph, and its saved values;
- ``grad_mode.py``: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, per thread;
- ``engine.py``: ``backward`` and ``grad``, the walk over the graph;
- ``functional.py``: ``vjp``, ``jvp``, ``hvp``, ``vhp``, ``jacobian``, ``hessian``.

Each op is a ``Function`` whose ``forward`` and ``backward`` are the formula written out; the
engine calls the backwards in reverse order and hands each input its gradient.  With
``create_graph=True`` the same backward formulas run on Tensors and record a graph of the
gradient, which is how second derivatives come about (``function.py`` explains how).  Graph
lifetime (``retain_graph``) and in-place rules (version counters) are PyTorch's.
"""
from .function import Function, check_one_device
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)
from .engine import backward, grad, unbroadcast
from . import functional

__all__ = ["Function", "backward", "check_one_device", "enable_grad", "functional", "grad",
           "inference_mode", "is_grad_enabled", "no_grad", "set_grad_enabled", "unbroadcast"]


def __getattr__(name: str):
    """``autograd.gradcheck`` / ``gradgradcheck`` as in ``torch.autograd`` (they live in
    ``minigrad.gradcheck``, which needs this package first)."""
    if name in ("gradcheck", "gradgradcheck"):
        import importlib
        return getattr(importlib.import_module("minigrad.gradcheck"), name)
    raise AttributeError(f"module 'minigrad.autograd' has no attribute '{name}'")
