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

**Saved values and caches.**  ``ctx.save_for_backward(*values)`` keeps what backward needs, read
back as ``ctx.saved``: inputs, the output, and constants (index or mask arrays, numbers).
``ctx.cache_for_backward(*values)`` keeps intermediate results that backward could recompute
but need not (a softmax, the im2col matrix, an LSTM's gates), read back as ``ctx.cached``.
When the gradient is built as a graph, saved inputs that require grad and the output come back
as Tensors connected to the graph (recognized by identity), other saved arrays as constant
Tensors, and caches as ``None``: the backward then recomputes them from the saved values with
``xp``, so the recomputation is differentiable too.

**Graph lifetime and in-place changes, as in PyTorch.**  ``backward()`` frees every node's saved
values unless ``retain_graph=True``; a second backward through them is an error that says so.
Every in-place change of a tensor bumps its version; backward through a saved tensor whose
version changed since it was saved is an error naming the op and the tensor.
"""
from __future__ import annotations

import itertools

import numpy as np

from .. import versions
from ..backend import device_of
from ..errors import DTypeError
from ..promotion import promoted
from ..tensor import Tensor
from .grad_mode import _state

_sequence = itertools.count()  # creation order of recorded nodes

_RELEASED = object()          # what a node's saved values become after backward()


class Function:
    """One differentiable operation.  Subclasses write ``forward(ctx, *arrays, **options)`` and
    ``backward(ctx, g)``, both on raw arrays (``ctx`` is the node itself).  ``backward`` returns
    one gradient per positional input (a tuple when there are several); ``None`` for an input
    that gets no gradient.  Arrays the backward needs are kept with ``ctx.save_for_backward``
    (module docstring); plain settings (an axis, a shape) may be attributes of ``ctx``.

    ``ctx.needs_input_grad[i]`` says whether input ``i`` wants a gradient, so backward can skip
    work nobody will use.  ``differentiable_twice = False`` marks an op whose backward cannot
    build a graph (PyTorch's ``once_differentiable``): ``create_graph=True`` through it is an
    error naming it.  ``promotion`` makes mixed inputs follow PyTorch's type promotion
    before ``forward`` sees them (``minigrad.promotion``).
    """

    parents: tuple = ()           # per input: the node that made it, the leaf itself, or None
    needs_input_grad: tuple = ()
    retained = None               # weakref to the output Tensor that called retain_grad()
    differentiable_twice = True
    promotion: str | None = None  # "common" or "float": PyTorch's dtypes (minigrad.promotion)
    promoted_inputs = None        # which inputs take part (None: all)
    _saved: tuple = ()
    _cached: tuple = ()
    _time = 0                     # the in-place-change clock at forward (minigrad.versions)
    _out_id = None                # id() of the output array: how saved values are recognized
    returns_view = False          # the output shares the input's memory (reshape, x[1:])
    _graph = False                # True while backward runs with create_graph

    @classmethod
    def apply(cls, *args, **options) -> Tensor:
        """Run the op on Tensors (or plain numbers/arrays, which count as constants)."""
        ctx = cls.__new__(cls)
        raw, parents, record, off_cpu = [], [], False, False
        for arg in args:
            if isinstance(arg, Tensor):
                raw.append(arg.array)
                off_cpu = off_cpu or type(arg.array) is not np.ndarray
                if arg.requires_grad:
                    parents.append(arg.grad_fn or arg)
                    record = True
                    continue
            else:
                raw.append(arg)
            parents.append(None)
        if off_cpu:
            raw = on_one_device(cls.__name__, raw, parents)
        if cls.promotion is not None:
            try:
                raw = promoted(raw, cls.promotion, cls.promoted_inputs)
            except DTypeError as error:  # a dtype no op computes in (bfloat16)
                raise DTypeError(f"{cls.__name__.lower()}: {error}") from None
        if not (record and _state.enabled):
            return Tensor._wrap(ctx.forward(*raw, **options), None)
        ctx.seq = next(_sequence)
        ctx.parents = parents
        ctx.needs_input_grad = [p is not None for p in parents]
        out = ctx.forward(*raw, **options)
        if out.dtype.kind != "f":  # integer/bool results carry no gradient
            return Tensor._wrap(out, None)
        if isinstance(out, np.generic):  # NumPy's 0-d results are scalars: make it an array,
            scalar, out = out, np.asarray(out)             # the same one backward will see
            ctx._saved = tuple(out if v is scalar else v for v in ctx._saved)
        ctx.out_shape, ctx.out_dtype, ctx._out_id = out.shape, out.dtype, id(out)
        ctx._time = versions._Clock.now
        return Tensor._wrap(out, ctx)

    def save_for_backward(self, *values) -> None:
        """Keep what backward needs, read back as ``ctx.saved``: inputs, the output, and
        constants (integer/boolean arrays, numbers, tuples of indices)."""
        self._saved = values

    def cache_for_backward(self, *values) -> None:
        """Keep intermediate results that backward could recompute from the saved values but
        need not (read back as ``ctx.cached``; ``None`` each while a graph is being built,
        when backward recomputes them differentiably)."""
        self._cached = values

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
        if versions._Clock.now != self._time:  # something changed in place since forward
            self._check_unchanged()
        return self._graph_saved() if self._graph else saved

    @property
    def cached(self) -> tuple:
        """The values given to ``cache_for_backward``, or Nones while building a graph."""
        if self._saved is _RELEASED:
            return self.saved  # the error
        return (None,) * len(self._cached) if self._graph else self._cached

    def _check_unchanged(self) -> None:
        for value in self._saved:
            if hasattr(value, "shape") and versions.changed_since(value, self._time):
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified "
                    f"by an in-place operation: {self._describe(value)} (a tensor of shape "
                    f"{tuple(value.shape)}, saved by {self.name}) was changed after the forward "
                    f"pass. Make the in-place change after backward(), or change a copy "
                    f"(clone()) instead.")

    def _source(self, value):
        """Where a saved array came from: (the parent that made it, or self for the output,
        and its input index), or (None, None) for a constant."""
        key = id(value)  # safe: value is alive, so no other object can have its id
        if key == self._out_id:
            return self, None
        for i, parent in enumerate(self.parents):
            if parent is not None and (parent.array is value if isinstance(parent, Tensor)
                                       else parent._out_id == key):
                return parent, i
        return None, None

    def _describe(self, value) -> str:
        parent, index = self._source(value)
        return "its output" if parent is self else "a value it saved" if parent is None \
            else f"its input {index}"

    def _graph_saved(self) -> tuple:
        """The saved values as Tensors of the graph being built: inputs that require grad and
        the output connected to it, everything else a constant (module docstring)."""
        out = []
        for value in self._saved:
            if not hasattr(value, "shape"):     # a number, a tuple of indices, None
                out.append(value)
                continue
            parent, _ = self._source(value)
            out.append(Tensor._wrap(value, None) if parent is None else parent
                       if isinstance(parent, Tensor) else Tensor._wrap(value, parent))
        return tuple(out)

    def release(self) -> None:
        """Free the saved values and caches (what backward() does unless retain_graph=True)."""
        if self._saved or self._cached:
            self._saved, self._cached = _RELEASED, ()

    def forward(self, *args, **options):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, g):  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def name(self) -> str:
        """How the node is shown: ``MulBackward`` for ``Mul``, as PyTorch names them."""
        return type(self).__name__ + "Backward"


def on_one_device(op: str, raw: list, parents: list) -> list:
    """The inputs of an op that involves a GPU array: a 0-d CPU tensor that needs no gradient
    is a number and becomes a NumPy scalar, usable with GPU arrays (as in PyTorch, and CuPy
    takes scalars but refuses NumPy arrays); other inputs must share one device."""
    raw = [r[()] if type(r) is np.ndarray and r.ndim == 0 and p is None else r
           for r, p in zip(raw, parents)]
    check_one_device(op, raw)
    return raw


def check_one_device(op: str, arrays) -> None:
    """Refuse an op whose array inputs live on different devices, naming both."""
    devices = {device_of(a) for a in arrays if hasattr(a, "shape") and
               not isinstance(a, np.generic)}
    if len(devices) > 1:
        raise RuntimeError(f"{op}: expected all tensors on one device, found tensors on "
                           f"{' and '.join(sorted(devices))}; move them with .to(device)")
