"""Containers: Sequential (modules applied in order) and ModuleList (a registered list)."""
from __future__ import annotations

from collections import OrderedDict

from .. import functional as F
from ..backend import device_of
from ..kernels import uses_kernel
from .module import Module


def _fuses_epilogues(x) -> bool:
    """Whether the kernel door runs Linear's bias + activation epilogue for x's device."""
    return hasattr(x, "array") and uses_kernel("bias_activation", device_of(x.array))


def _epilogue(first, second) -> str | None:
    """The activation to fuse when ``first`` is a Linear with a bias and ``second`` a ReLU,
    Sigmoid or Tanh module (exactly those classes, not subclasses), else None.  Never when
    either has its own ``forward`` set on the instance (as ``quantization.calibrate`` records
    each layer's inputs): fused, that forward would not run."""
    from .activation import ReLU, Sigmoid, Tanh
    from .layers import Linear
    if type(first) is not Linear or first.bias is None or "forward" in vars(first) or \
            "forward" in vars(second):
        return None
    return {ReLU: "relu", Sigmoid: "sigmoid", Tanh: "tanh"}.get(type(second))


class Sequential(Module):
    """``Sequential(a, b, c)(x) = c(b(a(x)))``; children are named "0", "1", ... (or by an
    OrderedDict), which gives state-dict keys like ``0.weight``."""

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                setattr(self, name, module)
        else:
            for index, module in enumerate(modules):
                setattr(self, str(index), module)

    def forward(self, x):
        modules = list(self._modules.values())
        fuse = _fuses_epilogues(x)
        i = 0
        while i < len(modules):
            activation = _epilogue(modules[i], modules[i + 1]) if fuse and \
                i + 1 < len(modules) else None
            if activation:  # Linear then relu/sigmoid/tanh: one node, one pass (Linear's epilogue)
                x = F.linear_activation(x, modules[i].weight, modules[i].bias, activation)
                i += 2
            else:
                x = modules[i](x)
                i += 1
        return x

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        return modules[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module: Module) -> "Sequential":
        setattr(self, str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters belong to the parent (named "0", "1", ...)."""

    def __init__(self, modules=()):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> "ModuleList":
        setattr(self, str(len(self)), module)
        return self

    def extend(self, modules) -> "ModuleList":
        for module in modules:
            self.append(module)
        return self

    def __getitem__(self, index):
        modules = list(self._modules.values())
        return ModuleList(modules[index]) if isinstance(index, slice) else modules[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())
