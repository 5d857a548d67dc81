"""The autograd engine: Function, grad mode, and the backward pass.

A ``Function`` is one node of the computation graph.  Its ``forward`` takes raw arrays and
returns a raw array; its ``backward`` takes g = dL/d(output) and returns dL/d(input) for each
input: the chain rule, one node at a time.  ``Function.apply`` is the glue: it unwraps Tensors,
runs ``forward``, wraps the result, and links the node into the graph only when grad mode is on
and some input requires grad.

``backward(root, gradient)`` walks the nodes from ``root`` back to the leaves in reverse
topological order (built with an explicit stack, so a chain of 100,000 ops needs no recursion),
calls each node's ``backward`` exactly once with the sum of the gradients flowing into it,
reduces broadcast gradients back to their input's shape (``unbroadcast``), and accumulates into
the ``.grad`` of leaf tensors.
"""
from __future__ import annotations

import functools

import numpy as np

from .tensor import Tensor

_grad_enabled = True


def is_grad_enabled() -> bool:
    """True when operations are being recorded for backward."""
    return _grad_enabled


class _GradMode:
    """Context manager and decorator that sets grad mode for a block and restores it after."""

    enabled: bool

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.enabled

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous

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


class Function:
    """One differentiable operation.  Subclasses write ``forward(ctx, *arrays, **options)`` and
    ``backward(ctx, g)``, both on raw arrays (``ctx`` is the node itself: save what backward
    needs on it).  ``backward`` returns one gradient per positional input (a tuple when there
    are several); ``None`` for an input that gets no gradient.

    ``ctx.needs_input_grad[i]`` says whether input ``i`` wants a gradient, so backward can skip
    work nobody will use.
    """

    inputs: tuple = ()
    needs_input_grad: tuple = ()
    retained: Tensor | None = None

    @classmethod
    def apply(cls, *args, **options) -> Tensor:
        """Run the op on Tensors (or plain numbers/arrays, which count as constants)."""
        ctx = cls.__new__(cls)
        raw, needs, any_needs = [], [], False
        for arg in args:
            if isinstance(arg, Tensor):
                raw.append(arg.data)
                needs.append(arg.requires_grad)
                any_needs = any_needs or arg.requires_grad
            else:
                raw.append(arg)
                needs.append(False)
        record = any_needs and _grad_enabled
        if record:
            ctx.needs_input_grad = tuple(needs)
            ctx.inputs = tuple(a if n else None for a, n in zip(args, needs))
        out = ctx.forward(*raw, **options)
        if record and out.dtype.kind != "f":  # integer/bool results carry no gradient
            record = False
        return Tensor._wrap(out, ctx if record else None)

    def save_for_backward(self, *arrays) -> None:
        """Keep arrays for backward (read them back as ``ctx.saved``)."""
        self.saved = arrays

    def forward(self, *args, **options):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, g):  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def name(self) -> str:
        """How the node is shown: ``MulBackward`` for ``Mul``, as PyTorch names them."""
        return type(self).__name__ + "Backward"


# ----------------------------------------------------------------------------- backward pass
def unbroadcast(grad, shape: tuple):
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``shape``.

    If x of shape (3, 1) was broadcast to (2, 3, 4) in the forward pass, each element of x was
    used 2*4 times, so its gradient is the sum over those uses: axis 0 (added) and axis 2
    (stretched from 1).
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    stretched = tuple(extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
    return grad.sum(axis=tuple(range(extra)) + stretched, keepdims=True).reshape(shape)


def _parents(fn: Function) -> list[Function]:
    return [t.grad_fn for t in fn.inputs if t is not None and t.grad_fn is not None]


def topological_order(root: Function) -> list[Function]:
    """Every node that ``root`` depends on, each after all of its inputs' nodes, ``root`` last.

    Depth-first search with an explicit stack of (node, iterator over its parents): a node is
    emitted once all its parents are, and no Python recursion limit applies.
    """
    order, visited = [], {root}
    stack = [(root, iter(_parents(root)))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent not in visited:
                visited.add(parent)
                stack.append((parent, iter(_parents(parent))))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _fit(grad, tensor: Tensor):
    """A gradient reduced to ``tensor``'s shape and cast to its dtype."""
    grad = unbroadcast(grad, tensor.data.shape)
    if grad.dtype != tensor.data.dtype:
        grad = grad.astype(tensor.data.dtype)
    return grad


def _accumulate(tensor: Tensor, grad, owned: set) -> None:
    """``tensor.grad += grad`` without ever writing into an array someone else holds."""
    if tensor.grad is None:
        if grad.base is not None or id(grad) in owned or not grad.flags.writeable:
            grad = grad.copy()
        owned.add(id(grad))
        tensor.grad = Tensor._wrap(grad, None)
    else:
        tensor.grad = Tensor._wrap(tensor.grad.data + grad, None)


def backward(root: Tensor, gradient=None) -> None:
    """Accumulate d(root)/d(leaf), weighted by ``gradient``, into every leaf's ``.grad``."""
    if not root.requires_grad:
        raise RuntimeError("backward(): this tensor does not require grad and has no grad_fn "
                           "(did you forget requires_grad=True, or compute it under no_grad?)")
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(f"backward(): grad can be implicitly created only for scalar "
                               f"outputs; this tensor has shape {tuple(root.shape)}: pass "
                               f"gradient= of that shape")
        gradient = root.data * 0 + 1
    else:
        gradient = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
        if gradient.shape != root.data.shape:
            raise RuntimeError(f"backward(): gradient has shape {tuple(gradient.shape)} but the "
                               f"tensor has shape {tuple(root.shape)}")
        gradient = gradient.astype(root.data.dtype, copy=False)
    owned: set = set()
    if root.grad_fn is None:
        _accumulate(root, gradient, owned)
        return
    grads = {root.grad_fn: gradient}
    for fn in reversed(topological_order(root.grad_fn)):
        g = grads.pop(fn, None)
        if g is None:  # every path from root to this node carried a None gradient
            continue
        if fn.retained is not None:
            _accumulate(fn.retained, g, owned)
        input_grads = fn.backward(g)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        for tensor, grad in zip(fn.inputs, input_grads):
            if tensor is None or grad is None:
                continue
            grad = _fit(grad, tensor)
            parent = tensor.grad_fn
            if parent is None:
                _accumulate(tensor, grad, owned)
            elif parent in grads:
                grads[parent] = grads[parent] + grad
            else:
                grads[parent] = grad
