"""The autograd engine: Function, grad mode, and the backward pass.

A ``Function`` is one node of the computation graph.  Its ``forward`` takes raw arrays and
returns a raw array; its ``backward`` takes g = dL/d(output) and returns dL/d(input) for each
input: the chain rule, one node at a time.  ``Function.apply`` is the glue: it unwraps Tensors,
runs ``forward``, wraps the result, and links the node into the graph only when grad mode is on
and some input requires grad.

``backward(root, gradient)`` must call each node's ``backward`` once, with the sum of the
gradients from all its consumers, so every consumer must go first: a reverse topological order.
Every recorded node gets a sequence number when it is created, and a node's inputs always exist
before it, so visiting nodes in decreasing sequence number (a heap) is such an order, found
without recursion (a chain of 100,000 ops is fine) and without a separate sorting pass.  Along
the way gradients of broadcast inputs are reduced to their shapes (``unbroadcast``) and leaf
gradients are accumulated into ``.grad``.
"""
from __future__ import annotations

import functools
import heapq
import itertools

import numpy as np

from .backend import array_module_of, device_of
from .tensor import Tensor

_grad_enabled = True
_sequence = itertools.count()  # creation order of recorded nodes


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
        raw, inputs, record, off_cpu = [], [], False, False
        for arg in args:
            if isinstance(arg, Tensor):
                raw.append(arg.data)
                off_cpu = off_cpu or type(arg.data) is not np.ndarray
                if arg.requires_grad:
                    inputs.append(arg)
                    record = True
                    continue
            else:
                raw.append(arg)
            inputs.append(None)
        if off_cpu:
            check_one_device(cls.__name__, raw)
        if record and _grad_enabled:
            ctx.seq = next(_sequence)
            ctx.inputs = inputs
            ctx.needs_input_grad = [t is not None for t in inputs]
            out = ctx.forward(*raw, **options)
            if out.dtype.kind == "f":  # integer/bool results carry no gradient
                return Tensor._wrap(out, ctx)
            return Tensor._wrap(out, None)
        return Tensor._wrap(ctx.forward(*raw, **options), None)

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


def check_one_device(op: str, arrays) -> None:
    """Refuse an op whose array inputs live on different devices, naming both."""
    devices = {device_of(a) for a in arrays  # a 0-d NumPy array is a scalar: fine anywhere
               if hasattr(a, "shape") and (a.ndim or device_of(a) == "cuda")}
    if len(devices) > 1:
        raise RuntimeError(f"{op}: expected all tensors on one device, found tensors on "
                           f"{' and '.join(sorted(devices))}; move them with .to(device)")


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
    if not stretched:  # only leading axes were added (a bias row): the common, cheap case
        return grad.sum(axis=tuple(range(extra)))
    return grad.sum(axis=tuple(range(extra)) + stretched, keepdims=True).reshape(shape)


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
        gradient = array_module_of(root.data).ones_like(root.data)
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
    pending = [(-root.grad_fn.seq, root.grad_fn)]  # a max-heap on sequence numbers
    while pending:
        fn = heapq.heappop(pending)[1]
        g = grads.pop(fn)
        if fn.retained is not None:
            _accumulate(fn.retained, g, owned)
        input_grads = fn.backward(g)
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        for tensor, grad in zip(fn.inputs, input_grads):
            if tensor is None or grad is None:
                continue
            data = tensor.data  # the gradient must have the input's shape and dtype
            if grad.shape != data.shape:
                grad = unbroadcast(grad, data.shape)
            if grad.dtype != data.dtype:
                grad = grad.astype(data.dtype)
            parent = tensor.grad_fn
            if parent is None:
                _accumulate(tensor, grad, owned)
            elif parent in grads:
                grads[parent] = grads[parent] + grad
            else:
                grads[parent] = grad
                heapq.heappush(pending, (-parent.seq, parent))
