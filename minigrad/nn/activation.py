"""Activation functions as modules (so they can sit in a Sequential)."""
from __future__ import annotations

from .. import functional as F
from .module import Module


class _Activation(Module):
    """``forward(x) = function(x, *options)``: ``function`` is the subclass's function of
    ``functional``, ``options`` the names of the attributes passed after x (shown in the
    repr, as PyTorch shows them)."""

    function = None
    options: tuple = ()

    def forward(self, x):
        return type(self).function(x, *(getattr(self, name) for name in self.options))

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={getattr(self, name)!r}" for name in self.options)


class ReLU(_Activation):
    """``inplace`` is accepted for PyTorch's signature (``nn.ReLU(True)``); the output is
    always a new tensor, which autograd needs anyway."""

    function = staticmethod(F.relu)

    def __init__(self, inplace: bool = False):
        super().__init__()


class Sigmoid(_Activation):
    function = staticmethod(F.sigmoid)


class Tanh(_Activation):
    function = staticmethod(F.tanh)


class SiLU(_Activation):
    function = staticmethod(F.silu)


class LeakyReLU(_Activation):
    function, options = staticmethod(F.leaky_relu), ("negative_slope",)

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = negative_slope


class ELU(_Activation):
    function, options = staticmethod(F.elu), ("alpha",)

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha


class Softplus(_Activation):
    function, options = staticmethod(F.softplus), ("beta", "threshold")

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold


class GELU(_Activation):
    function, options = staticmethod(F.gelu), ("approximate",)

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate


class _AlongDim(Module):
    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def _dim(self, x) -> int:
        """PyTorch's legacy rule when dim is None: 0 for 0-, 1- and 3-D inputs, else 1."""
        return self.dim if self.dim is not None else (0 if x.ndim in (0, 1, 3) else 1)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    def forward(self, x):
        return F.softmax(x, self._dim(x))


class LogSoftmax(_AlongDim):
    def forward(self, x):
        return F.log_softmax(x, self._dim(x))
