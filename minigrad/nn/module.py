"""Module and Parameter: the bookkeeping that turns functions with weights into layers.

A ``Module`` registers the ``Parameter``s, buffers (non-learned state such as BatchNorm's
running mean) and sub-modules assigned to its attributes, so that ``parameters()``,
``state_dict()``, ``train()``/``eval()`` and ``to()`` can walk the whole tree.  Names follow
PyTorch (``0.weight`` inside a Sequential, ``encoder.layer.bias``...), so state dicts carry over.
"""
from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np

from .. import backend
from ..tensor import Tensor
from .utils import zero_grads

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Parameter(Tensor):
    """A Tensor that is a learnable weight of a Module (requires grad by default)."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        super().__init__(np.zeros(0, np.float32) if data is None else data,
                         requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def _fits(values, target) -> bool:
    """Whether checkpoint ``values`` may be copied into a tensor of dtype ``target`` (as
    PyTorch's copy_ does): numbers into floats, integers/bools into integers, bools into bools,
    whole-number floats into integers; never text, objects or complex numbers, nor fractions
    into an integer buffer."""
    source, target = values.dtype, np.dtype(target)
    if source.kind not in "biuf":
        return False
    if target.kind == "f" or source.kind == target.kind == "b":
        return True
    if source.kind == "f" and target.kind in "iu":
        return bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))
    return source.kind in "biu" and target.kind in "iu"


def _as_array(value):
    """A state-dict value (Tensor, NumPy array, PyTorch tensor...) as a NumPy/CuPy array."""
    if isinstance(value, Tensor):
        return value.array
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch.Tensor
        return value.detach().cpu().numpy()
    return np.asarray(value)


class Module:
    """Base class of every layer and model: subclass it, create parameters and sub-modules in
    ``__init__``, compute in ``forward``, call the instance."""

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before "
                                 f"assigning attributes")
        if isinstance(value, Module) and name in self._modules:  # a replacement keeps its
            self._modules[name] = value                           # place (Sequential order)
            return
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)
            return
        self.__dict__.pop(name, None)

    def __getattr__(self, name: str):
        for table in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(table, {})
            if name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Non-learned state that moves with the module (``to``, ``buffers()``) and, unless
        ``persistent=False`` (a causal mask rebuilt in ``__init__``), is saved in the state
        dict (running statistics)."""
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor
        if not persistent:
            self.__dict__.setdefault("_non_persistent", set()).add(name)
        else:
            self.__dict__.get("_non_persistent", set()).discard(name)

    def register_parameter(self, name: str, parameter: Parameter | None) -> None:
        if parameter is None:
            self._parameters.pop(name, None)
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, parameter)

    # ------------------------------------------------------------------ walking the tree
    def named_modules(self, prefix: str = ""):
        """(name, module) for this module and every descendant, each once."""
        seen, stack = set(), [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{n}" if name else n, m) for n, m in module._modules.items()
                        if m is not None]
            stack.extend(reversed(children))

    def modules(self):
        return (m for _, m in self.named_modules())

    def named_children(self):
        return ((n, m) for n, m in self._modules.items() if m is not None)

    def children(self):
        return (m for _, m in self.named_children())

    def _named_entries(self, table: str, recurse: bool):
        seen = set()
        modules = self.named_modules() if recurse else [("", self)]
        for prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{prefix}.{name}" if prefix else name), value

    def named_parameters(self, recurse: bool = True):
        return self._named_entries("_parameters", recurse)

    def parameters(self, recurse: bool = True):
        return (p for _, p in self.named_parameters(recurse))

    def named_buffers(self, recurse: bool = True):
        return self._named_entries("_buffers", recurse)

    def buffers(self, recurse: bool = True):
        return (b for _, b in self.named_buffers(recurse))

    # ------------------------------------------------------------------ modes and gradients
    def train(self, mode: bool = True) -> "Module":
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient (``nn.utils.zero_grads``)."""
        zero_grads(self.parameters(), set_to_none)

    def apply(self, fn) -> "Module":
        """Call ``fn(module)`` on every submodule (children first) and on self, as PyTorch's
        ``apply`` (used for custom initialization: ``model.apply(init_weights)``)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    # ------------------------------------------------------------------ state
    def state_dict(self) -> OrderedDict:
        """name -> Tensor (sharing memory with the module) for every parameter and buffer."""
        state = OrderedDict()
        for prefix, module in self.named_modules():
            transient = module.__dict__.get("_non_persistent", set())
            for table in (module._parameters, module._buffers):
                for name, value in table.items():
                    if value is not None and not (table is module._buffers and
                                                  name in transient):
                        state[f"{prefix}.{name}" if prefix else name] = value.detach()
        return state

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy values into this module's parameters and buffers.  Every key and shape is
        checked first; on any problem a RuntimeError lists the missing, unexpected and wrongly
        shaped entries and the module is left unchanged."""
        own = self.state_dict()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        arrays, unreadable = {}, []
        for key, value in state_dict.items():
            if key in own:
                try:
                    arrays[key] = _as_array(value)
                except (TypeError, ValueError) as err:
                    unreadable.append(f"{key}: {type(value).__name__} ({err})")
        wrong = [f"{k}: checkpoint {tuple(a.shape)} vs model {tuple(own[k].shape)}"
                 for k, a in arrays.items() if tuple(a.shape) != tuple(own[k].shape)]
        wrong += unreadable + [f"{k}: checkpoint dtype {a.dtype} cannot go into the model's "
                               f"{own[k].dtype}" for k, a in arrays.items()
                               if not _fits(a, own[k].dtype)]
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        if wrong:
            problems.append("wrong shapes or dtypes: " + "; ".join(wrong))
        if problems:
            raise RuntimeError(f"load_state_dict for {type(self).__name__} failed, nothing was "
                               f"changed:\n  " + "\n  ".join(problems))
        for key, array in arrays.items():
            target = own[key].array
            target[...] = backend.to_device(array, backend.device_of(target))
            own[key]._bump_version()
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ device and dtype
    def to(self, *args, dtype=None, device=None, non_blocking: bool = False) -> "Module":
        """Move/convert every parameter and buffer in place (``to("cuda")``,
        ``to(minigrad.float64)``); floating dtypes only change floating tensors.
        ``non_blocking`` is accepted and changes nothing (the copies are synchronous)."""
        for arg in args:
            if isinstance(arg, str):
                device = arg
            else:
                dtype = arg
        def convert(data):
            if device is not None:
                data = backend.to_device(data, backend.normalize_device(device))
            if dtype is not None and backend.is_floating(data.dtype):
                data = data.astype(dtype, copy=False)
            return data

        for tensor in list(self.parameters()) + list(self.buffers()):
            tensor.array = convert(tensor.array)
            if tensor.grad is not None:
                tensor.grad = Tensor._wrap(convert(tensor.grad.array), None)
        return self

    def float(self) -> "Module":
        return self.to(np.float32)

    def double(self) -> "Module":
        return self.to(np.float64)

    def cpu(self) -> "Module":
        return self.to("cpu")

    def cuda(self) -> "Module":
        return self.to("cuda")

    # ------------------------------------------------------------------ calling and printing
    def forward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def extra_repr(self) -> str:
        """The part of the repr between the parentheses (e.g. ``in_features=3, ...``)."""
        return ""

    def __repr__(self) -> str:
        children = [f"({name}): " + repr(module).replace("\n", "\n  ")
                    for name, module in self._modules.items()]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = ([self.extra_repr()] if self.extra_repr() else []) + children
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"
