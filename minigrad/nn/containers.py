"""Containers: Sequential (modules applied in order) and ModuleList (a registered list)."""
from __future__ import annotations

from collections import OrderedDict

from .. import functional as F
from ..backend import device_of
from ..kernels import uses_kernel
from .module import Module, Parameter


def _fuses_epilogues(x) -> bool:
    """Whether the kernel door runs Linear's bias + activation epilogue for x's device."""
    return hasattr(x, "array") and uses_kernel("bias_activation", device_of(x.array))


def _runs_its_class_forward(*modules) -> bool:
    """No module has its own ``forward`` set on the instance (as ``quantization.calibrate``
    records each layer's inputs): a rewrite that skips a module's call would skip that."""
    return not any("forward" in vars(m) for m in modules)


def _epilogue(first, second) -> str | None:
    """The activation to fuse when ``first`` is a Linear with a bias and ``second`` a ReLU,
    Sigmoid or Tanh module (exactly those classes, not subclasses), else None."""
    from .activation import ReLU, Sigmoid, Tanh
    from .layers import Linear
    if type(first) is not Linear or first.bias is None or \
            not _runs_its_class_forward(first, second):
        return None
    return {ReLU: "relu", Sigmoid: "sigmoid", Tanh: "tanh"}.get(type(second))


def _pools_a_relu(first, second) -> bool:
    """Whether ``first`` is a ReLU and ``second`` a MaxPool2d (exactly those classes).

    Then they run the other way round: max pooling commutes with a non-decreasing function,
    maxpool(relu(x)) = relu(maxpool(x)), with the same gradient (routed to the window's
    first maximum, and zero where that maximum is not positive).  Pooled first, the ReLU
    and its backward touch a quarter of the numbers (2×2 pooling): P5's step, 2 ms less."""
    from .activation import ReLU
    from .conv import MaxPool2d
    return type(first) is ReLU and type(second) is MaxPool2d and \
        _runs_its_class_forward(first, second)


class Sequential(Module):
    """``Sequential(a, b, c)(x) = c(b(a(x)))``; children are named "0", "1", ... (or by an
    OrderedDict), which gives state-dict keys like ``0.weight``.

    It runs exactly the modules it prints, one after another.  ``fuse()`` opts in to two
    rewrites that give the same values and gradients in less time, and the printed model then
    lists them: a Linear with a bias followed by a ReLU, Sigmoid or Tanh becomes one node (the
    activation applied in the matmul's epilogue) where the kernels run, and a ReLU followed by
    a MaxPool2d runs pooled first (max pooling commutes with a non-decreasing function, so a
    quarter of the numbers go through the ReLU)."""

    def __init__(self, *modules):
        super().__init__()
        self.fused = False
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                setattr(self, name, module)
        else:
            for index, module in enumerate(modules):
                setattr(self, str(index), module)

    def fuse(self, enabled: bool = True) -> "Sequential":
        """Run the pairs ``rewrites()`` lists as one step each (``enabled=False``: undo);
        returns the model, so ``nn.Sequential(...).fuse()`` builds a fused one."""
        self.fused = bool(enabled)
        return self

    def rewrites(self) -> dict:
        """{first: (second, activation)}: the pairs of consecutive children, by name, that
        ``fuse()`` runs as one step — a Linear and its activation ("relu", "sigmoid",
        "tanh"), or a ReLU and a max pool (activation None: pooled first)."""
        named = list(self._modules.items())
        found, i = {}, 0
        while i < len(named) - 1:
            (first, a), (second, b) = named[i], named[i + 1]
            activation = _epilogue(a, b)
            if activation or _pools_a_relu(a, b):
                found[first] = (second, activation)
                i += 1
            i += 1
        return found

    def extra_repr(self) -> str:
        if not self.fused:
            return ""
        steps = [f"({first}, {second}) " + (f"linear + {activation} as one node where the "
                                            f"kernels run" if activation else
                                            "max pool first, then the ReLU")
                 for first, (second, activation) in self.rewrites().items()]
        return "fused: " + "; ".join(steps or ["nothing to fuse"])

    def forward(self, x):
        rewrites = self.rewrites() if self.fused else {}
        epilogues = bool(rewrites) and _fuses_epilogues(x)
        names = iter(self._modules)
        for name in names:
            module = self._modules[name]
            second, activation = rewrites.get(name, (None, None))
            if second is None or (activation and not epilogues):
                x = module(x)
                continue
            next(names)  # the pair's second module runs inside this step
            if activation:
                x = F.linear_activation(x, module.weight, module.bias, activation)
            else:
                x = module(self._modules[second](x))
        return x

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index]).fuse(self.fused)
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


class ModuleDict(Module):
    """A dict of modules whose parameters belong to the parent (named by their keys, in
    insertion order), as ``torch.nn.ModuleDict``: nanoGPT keeps its embeddings and blocks in
    one (``self.transformer = nn.ModuleDict(dict(wte=..., h=nn.ModuleList(...)))``)."""

    _table = "_modules"

    def __init__(self, entries=None):
        super().__init__()
        if entries is not None:
            self.update(entries)

    def __getitem__(self, key: str):
        return getattr(self, self._table)[key]

    def __setitem__(self, key: str, value) -> None:
        setattr(self, key, value)

    def __delitem__(self, key: str) -> None:
        del getattr(self, self._table)[key]

    def __len__(self) -> int:
        return len(getattr(self, self._table))

    def __iter__(self):
        return iter(getattr(self, self._table))

    def __contains__(self, key) -> bool:
        return key in getattr(self, self._table)

    def keys(self):
        return getattr(self, self._table).keys()

    def items(self):
        return getattr(self, self._table).items()

    def values(self):
        return getattr(self, self._table).values()

    def update(self, entries) -> None:
        """Add (or replace) the entries of a dict, or of (key, value) pairs."""
        for key, value in (entries.items() if hasattr(entries, "items") else entries):
            self[key] = value

    def pop(self, key: str):
        value = self[key]
        del self[key]
        return value

    def clear(self) -> None:
        getattr(self, self._table).clear()


class ParameterDict(ModuleDict):
    """A dict of Parameters that belong to the parent (named by their keys), as
    ``torch.nn.ParameterDict``; a plain tensor put in becomes a Parameter."""

    _table = "_parameters"

    def __setitem__(self, key: str, value) -> None:
        setattr(self, key, value if isinstance(value, Parameter) else Parameter(value))
