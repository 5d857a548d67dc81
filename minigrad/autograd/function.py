"""Function: one node of the computation graph, and its saved values.

A ``Function`` is one node of the computation graph.  Its ``forward`` takes raw arrays and
returns a raw array; its ``backward`` takes g = dL/d(output) and returns dL/d(input) for each
input: the chain rule, one node at a time.  ``Function.apply`` is the glue: it unwraps Tensors,
runs ``forward``, wraps the result, and links the node into the graph only when grad mode is on
and some input requires grad.  A node remembers its *parents* (the nodes that made its inputs,
or the leaf tensors themselves), never the input tensors: a graph keeps alive only what its
backward needs (``save_for_backward``), and after ``backward()`` not even that.

**One backward formula, two ways to run it.**  A backward reads its array operations from the
array module of its arguments, ``xp = array_module_of(g)``.  On the ordinary (first-order) pass
``g`` and the saved values are raw arrays and ``xp`` is NumPy (or CuPy): fast.  With
``create_graph=True`` the engine hands the same backward Tensors instead, ``xp`` is
``minigrad.differentiable`` (NumPy's names over minigrad's ops), and running the formula
records a graph of the gradient itself: that is how second derivatives (Hessians, double
backprop, gradient penalties) come out of the same code.

**Saved values.**  ``ctx.save_for_backward(*values)`` keeps what backward needs, read back as
``ctx.saved``.  Each saved array is an input, the output, a constant (an integer or boolean
array: indices, masks), or a float *cache* (an intermediate result kept only for speed; a list
of arrays is a cache too).  Anything else (a number, a tuple of indices) is kept as it is.  When
the gradient is built as a graph, inputs and the output come back as Tensors connected to the
graph, constants as constant Tensors, and caches as ``None``: the backward then recomputes them
from the inputs with ``xp``, so the recomputation is differentiable too.

**Graph lifetime and in-place changes, as in PyTorch.**  ``backward()`` frees every node's saved
values unless ``retain_graph=True``; a second backward through them is an error that says so.
Every in-place change of a tensor bumps its version; backward through a saved tensor whose
version changed since it was saved is an error naming the op and the tensor.
"""
from __future__ import annotations

import itertools

import numpy as np

from ..backend import device_of
from ..tensor import Tensor
from .grad_mode import _state

_sequence = itertools.count()  # creation order of recorded nodes

_RELEASED = object()          # what a node's saved values become after backward()
_OUTPUT, _OTHER = -1, -2      # roles of a saved value that is not input i (role = i >= 0)


class Function:
    """One differentiable operation.  Subclasses write ``forward(ctx, *arrays, **options)`` and
    ``backward(ctx, g)``, both on raw arrays (``ctx`` is the node itself).  ``backward`` returns
    one gradient per positional input (a tuple when there are several); ``None`` for an input
    that gets no gradient.  Arrays the backward needs are kept with ``ctx.save_for_backward``
    (module docstring); plain settings (an axis, a shape) may be attributes of ``ctx``.

    ``ctx.needs_input_grad[i]`` says whether input ``i`` wants a gradient, so backward can skip
    work nobody will use.  ``differentiable_twice = False`` marks an op whose backward cannot
    build a graph (PyTorch's ``once_differentiable``): ``create_graph=True`` through it is an
    error naming it.
    """

    parents: tuple = ()           # per input: the node that made it, the leaf itself, or None
    needs_input_grad: tuple = ()
    retained: Tensor | None = None
    differentiable_twice = True
    _saved: tuple = ()
    _roles: tuple = ()
    _versions: tuple = ()         # (counter, version at save time, which) of saved tensors
    _graph = False                # True while backward runs with create_graph

    @classmethod
    def apply(cls, *args, **options) -> Tensor:
        """Run the op on Tensors (or plain numbers/arrays, which count as constants)."""
        ctx = cls.__new__(cls)
        raw, parents, record, off_cpu = [], [], False, False
        for arg in args:
            if isinstance(arg, Tensor):
                raw.append(arg.data)
                off_cpu = off_cpu or type(arg.data) is not np.ndarray
                if arg.requires_grad:
                    parents.append(arg.grad_fn or arg)
                    record = True
                    continue
            else:
                raw.append(arg)
            parents.append(None)
        if off_cpu:
            check_one_device(cls.__name__, raw)
        if not (record and _state.enabled):
            return Tensor._wrap(ctx.forward(*raw, **options), None)
        ctx.seq = next(_sequence)
        ctx.parents = parents
        ctx.needs_input_grad = [p is not None for p in parents]
        out = ctx.forward(*raw, **options)
        if out.dtype.kind != "f":  # integer/bool results carry no gradient
            return Tensor._wrap(out, None)
        ctx.out_shape, ctx.out_dtype = out.shape, out.dtype
        result = Tensor._wrap(out, ctx)
        if ctx._saved:
            ctx._bind_saved(args, raw, result)
        return result

    def save_for_backward(self, *values) -> None:
        """Keep arrays for backward (read them back as ``ctx.saved``): inputs, the output,
        integer/boolean constants, or float caches (see the module docstring)."""
        self._saved = values

    def _bind_saved(self, args, raw, result: Tensor) -> None:
        """After forward: note which saved value is which input (or the output), and the
        version of every saved tensor, so backward can tell if one was changed in place."""
        out, roles, versions = result.data, [], []
        for value in self._saved:
            if value is out:
                roles.append(_OUTPUT)
                result._versions = counter = [0]
                versions.append((counter, 0, _OUTPUT))
                continue
            for i, r in enumerate(raw):
                if r is value:
                    roles.append(i)
                    arg = args[i]
                    if isinstance(arg, Tensor):
                        counter = arg._versions or arg._version_counter()
                        versions.append((counter, counter[0], i))
                    break
            else:
                roles.append(_OTHER)
        self._roles, self._versions = roles, versions

    @property
    def saved(self) -> tuple:
        """The values given to ``save_for_backward``: raw arrays, or Tensors while the gradient
        is being built as a graph.  An error if backward() already freed them, or if a saved
        tensor was changed in place since."""
        saved = self._saved
        if saved is _RELEASED:
            raise RuntimeError(
                f"{self.name}: trying to backward through the graph a second time (or to read "
                f"its saved values after they were freed): the first backward() freed them. "
                f"Pass retain_graph=True to the first backward() (or autograd.grad) to keep them.")
        for counter, version, role in self._versions:
            if counter[0] != version:
                self._raise_modified(role, counter[0], version)
        return self._graph_saved() if self._graph else saved

    def _raise_modified(self, role: int, now: int, then: int):
        which = "its output" if role == _OUTPUT else f"its input {role}"
        value = self._saved[self._roles.index(role)]
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an "
            f"in-place operation: {which} (a tensor of shape {tuple(value.shape)}, saved by "
            f"{self.name}) is at version {now}; expected version {then}. Compute the in-place "
            f"change after backward(), or change a copy (clone()) instead.")

    def _graph_saved(self) -> tuple:
        """The saved values as Tensors of the graph being built (module docstring)."""
        out = []
        for value, role in zip(self._saved, self._roles):
            if role >= 0:
                parent = self.parents[role]
                out.append(Tensor._wrap(value, None) if parent is None else parent
                           if isinstance(parent, Tensor) else Tensor._wrap(value, parent))
            elif role == _OUTPUT:
                out.append(Tensor._wrap(value, self))
            elif hasattr(value, "dtype") and hasattr(value, "shape"):
                out.append(None if value.dtype.kind in "fc" else Tensor._wrap(value, None))
            elif isinstance(value, list):   # per-step arrays (a recurrent layer's): a cache
                out.append(None)
            else:                           # a setting: a number, a tuple of indices, None
                out.append(value)
        return tuple(out)

    def release(self) -> None:
        """Free the saved values (what backward() does unless retain_graph=True)."""
        if self._saved:
            self._saved = _RELEASED
            self._versions = ()

    def forward(self, *args, **options):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, g):  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def name(self) -> str:
        """How the node is shown: ``MulBackward`` for ``Mul``, as PyTorch names them."""
        return type(self).__name__ + "Backward"


def check_one_device(op: str, arrays) -> None:
    """Refuse an op whose array inputs live on different devices, naming both."""
    devices = {device_of(a) for a in arrays  # a 0-d NumPy array is a scalar: fine anywhere
               if hasattr(a, "shape") and (a.ndim or device_of(a) == "cuda")}
    if len(devices) > 1:
        raise RuntimeError(f"{op}: expected all tensors on one device, found tensors on "
                           f"{' and '.join(sorted(devices))}; move them with .to(device)")
