"""Activation functions as modules (so they can sit in a Sequential)."""
from __future__ import annotations

from .. import functional as F
from .module import Module


class ReLU(Module):
    """``inplace`` is accepted for PyTorch's signature (``nn.ReLU(True)``); the output is
    always a new tensor, which autograd needs anyway."""

    def __init__(self, inplace: bool = False):
        super().__init__()

    def forward(self, x):
        return F.relu(x)


class Sigmoid(Module):
    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x):
        return F.tanh(x)


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SiLU(Module):
    def forward(self, x):
        return F.silu(x)


class Softplus(Module):
    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class GELU(Module):
    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate='{self.approximate}'"


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
