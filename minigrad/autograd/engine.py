"""The backward pass: ``backward`` and ``grad``, walking the graph from the outputs.

``backward`` must call each node's ``backward`` once, with the sum of the gradients from all
its consumers, so every consumer must go first: a reverse topological order.  Every recorded
node gets a sequence number when it is created, and a node's inputs always exist before it, so
visiting nodes in decreasing sequence number (a heap) is such an order, found without
recursion (a chain of 100,000 ops is fine) and without a separate sorting pass.  Along the way
gradients of broadcast inputs are reduced to their shapes (``unbroadcast``), leaf gradients are
accumulated into ``.grad`` (or collected, for ``grad``), and each node's saved values are
freed unless ``retain_graph``.

Two hooks let distributed training overlap communication with the backward pass (PyTorch's
names): ``register_post_accumulate_grad_hook(tensor, hook)`` calls ``hook(tensor)`` once a
leaf's gradient of this pass is complete (every node that feeds it has run), and
``queue_callback(fn)`` runs ``fn()`` when the pass ends.  They cost nothing while none is
registered.
"""
from __future__ import annotations

import heapq

import numpy as np

from ..backend import array_module_of, cast, device_of
from ..tensor import Tensor
from .function import Function
from .grad_mode import set_grad_enabled


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


def _shaped(grad, shape: tuple, dtype):
    """The gradient in an input's shape and dtype (broadcast dims summed away)."""
    if grad.shape != shape:
        grad = unbroadcast(grad, shape)
    return grad if grad.dtype == dtype else cast(grad, dtype)


_post_accumulate_hooks: dict = {}   # id(leaf) -> (leaf, [hooks])
_callbacks: list = []               # run when the current backward pass ends


class HookHandle:
    """``handle.remove()`` unregisters a hook."""

    def __init__(self, key: int, hook):
        self.key, self.hook = key, hook

    def remove(self) -> None:
        _, hooks = _post_accumulate_hooks.get(self.key, (None, []))
        if self.hook in hooks:
            hooks.remove(self.hook)
            if not hooks:
                del _post_accumulate_hooks[self.key]


def register_post_accumulate_grad_hook(tensor: Tensor, hook) -> HookHandle:
    """Call ``hook(tensor)`` after each backward pass has added its last contribution to the
    leaf ``tensor``'s ``.grad`` (PyTorch's ``Tensor.register_post_accumulate_grad_hook``)."""
    if not tensor.requires_grad or tensor.grad_fn is not None:
        raise RuntimeError("register_post_accumulate_grad_hook: only a leaf tensor that "
                           "requires grad has its gradient accumulated")
    _post_accumulate_hooks.setdefault(id(tensor), (tensor, []))[1].append(hook)
    return HookHandle(id(tensor), hook)


def queue_callback(callback) -> None:
    """Run ``callback()`` once the backward pass now running has finished."""
    _callbacks.append(callback)


def _hooked_leaf_counts(roots) -> dict:
    """For each hooked leaf the graph reaches: how many edges lead into it (its gradient is
    complete when that many nodes have run)."""
    counts, seen, stack = {}, set(), [r.grad_fn for r in roots if r.grad_fn is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for parent in node.parents:
            if isinstance(parent, Function):
                stack.append(parent)
            elif parent is not None and id(parent) in _post_accumulate_hooks:
                counts[id(parent)] = counts.get(id(parent), 0) + 1
    return counts


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             inputs=None) -> None:
    """Accumulate d(tensors)/d(leaf), weighted by ``grad_tensors``, into the ``.grad`` of every
    leaf (only of ``inputs`` when given), as ``torch.autograd.backward``.

    ``retain_graph`` (default: ``create_graph``) keeps the saved values for another backward;
    ``create_graph`` records the gradient computation itself, so ``.grad`` can be
    differentiated again."""
    roots, root_grads = _roots(tensors, grad_tensors, create_graph)
    targets = None if inputs is None else _as_tuple(inputs)
    if targets is not None and not targets:
        raise RuntimeError("backward(): inputs= was given but is empty")
    _Pass(roots, root_grads, targets, retain_graph, create_graph, accumulate=True).run()


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         allow_unused: bool = False, materialize_grads: bool = False) -> tuple:
    """d(outputs)/d(inputs) weighted by ``grad_outputs``, returned as a tuple with one entry per
    input (``torch.autograd.grad``); no ``.grad`` is touched.  With ``create_graph=True`` the
    results are part of a graph and can be differentiated again."""
    roots, root_grads = _roots(outputs, grad_outputs, create_graph)
    targets = _as_tuple(inputs)
    for t in targets:
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError("grad(): one of the differentiated Tensors does not require grad")
    found = _Pass(roots, root_grads, targets, retain_graph, create_graph, accumulate=False).run()
    results = []
    for t in targets:
        value = found.get(id(t))
        if value is None:
            if not (allow_unused or materialize_grads):
                raise RuntimeError("grad(): one of the differentiated Tensors appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            if materialize_grads:
                value = array_module_of(t.array).zeros_like(t.array)
        results.append(value if value is None or isinstance(value, Tensor)
                       else Tensor._wrap(value, None))
    return tuple(results)


def _as_tuple(values) -> tuple:
    return (values,) if isinstance(values, Tensor) else tuple(values)


def _roots(tensors, grad_tensors, create_graph: bool) -> tuple[list, list]:
    """The output tensors and the gradient to start each one with (1 for a scalar)."""
    roots = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(roots)
    else:
        grad_tensors = (grad_tensors,) if not isinstance(grad_tensors, (tuple, list)) \
            else tuple(grad_tensors)
    if len(grad_tensors) != len(roots):
        raise RuntimeError(f"backward(): got {len(grad_tensors)} gradients for {len(roots)} "
                           f"tensors")
    return list(roots), [_root_gradient(r, g, create_graph) for r, g in zip(roots, grad_tensors)]


def _root_gradient(root: Tensor, gradient, create_graph: bool):
    if not root.requires_grad:
        raise RuntimeError("backward(): this tensor does not require grad and has no grad_fn "
                           "(did you forget requires_grad=True, or compute it under no_grad?)")
    if gradient is None:
        if root.array.size != 1:
            raise RuntimeError(f"backward(): grad can be implicitly created only for scalar "
                               f"outputs; this tensor has shape {tuple(root.shape)}: pass "
                               f"gradient= of that shape")
        gradient = array_module_of(root.array).ones_like(root.array)
    elif not isinstance(gradient, Tensor):
        gradient = array_module_of(root.array).asarray(gradient)
    if gradient.shape != root.array.shape:
        raise RuntimeError(f"backward(): gradient has shape {tuple(gradient.shape)} but the "
                           f"tensor has shape {tuple(root.shape)}")
    if isinstance(gradient, Tensor):
        if gradient.dtype != root.dtype:
            gradient = gradient.to(root.dtype)
        return gradient if create_graph else gradient.array.copy()
    # a copy, as PyTorch makes: the caller's array never becomes (part of) a leaf's .grad
    gradient = gradient.astype(root.array.dtype, copy=True)
    return Tensor._wrap(gradient, None) if create_graph else gradient


class _Pass:
    """One backward pass over the graph: the heap walk in named steps."""

    def __init__(self, roots, root_grads, targets, retain_graph, create_graph, accumulate):
        self.roots, self.root_grads = roots, root_grads
        self.retain = create_graph if retain_graph is None else retain_graph
        self.create_graph, self.accumulate = create_graph, accumulate
        self.targets = None if targets is None else {id(t): t for t in targets}
        self.target_nodes = {} if targets is None else \
            {id(t.grad_fn): t for t in targets if t.grad_fn is not None}
        self.found: dict = {}         # id(target) -> its gradient
        self.owned: set = set()       # ids of arrays this pass allocated (safe to keep as .grad)
        self.grads: dict = {}         # node -> the sum of the gradients it has received so far
        self.pending: list = []       # max-heap of nodes on sequence number
        self.needed = None
        self.hooked = _hooked_leaf_counts(roots) if _post_accumulate_hooks and accumulate \
            and targets is None and not create_graph else None  # id(leaf) -> edges to come

    def run(self) -> dict:
        try:
            if self.create_graph or self.targets is not None:
                found = self._run_with_options()
            else:
                self._walk()
                found = self.found
        except BaseException:
            _callbacks.clear()  # a failed pass runs no end-of-pass callbacks
            raise
        while _callbacks:
            _callbacks.pop(0)()
        return found

    def _count_down(self, parents) -> None:
        """One node has delivered to its leaf parents: a hooked leaf whose last contribution
        this was gets its hooks called."""
        for parent in parents:
            key = id(parent)
            if key in self.hooked and not isinstance(parent, Function):
                self.hooked[key] -= 1
                if self.hooked[key] == 0:
                    for hook in list(_post_accumulate_hooks.get(key, (None, []))[1]):
                        hook(parent)

    def _run_with_options(self) -> dict:
        from ..differentiable import on_device  # constants of a graph-building pass go there
        device = device_of(self.root_grads[0].array if isinstance(self.root_grads[0], Tensor)
                           else self.root_grads[0])
        with set_grad_enabled(self.create_graph), on_device(device):
            if self.targets is not None:
                self.needed = self._nodes_leading_to_targets()
            self._walk()
        return self.found

    def _walk(self) -> None:
        """Visit the nodes in decreasing sequence number, each with its summed gradient: call
        its backward, free its saved values, and pass each input's gradient to its parent
        (a node adds it to what it has; a leaf receives it).  The hot loop of training, so
        written out in one piece."""
        pending, grads, deliver = self.pending, self.grads, self._deliver
        for root, g in zip(self.roots, self.root_grads):
            self._push(root.grad_fn or root, g)
        plain, free = not self.create_graph and self.targets is None, not self.retain
        while pending:
            node = heapq.heappop(pending)[1]
            g = grads.pop(node)
            if node.retained is not None and node.retained() is not None:
                deliver(node.retained(), g)  # a tensor that asked for retain_grad, if alive
            if plain:
                input_grads = node.backward(g)
            else:
                input_grads = self._visit_with_options(node, g)
                if input_grads is None:
                    continue
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            if free:
                node.release()
            for parent, grad in zip(node.parents, input_grads):
                if parent is None or grad is None:
                    continue
                if isinstance(parent, Function):
                    if grad.shape != parent.out_shape or grad.dtype != parent.out_dtype:
                        grad = _shaped(grad, parent.out_shape, parent.out_dtype)
                    if parent in grads:
                        grads[parent] = grads[parent] + grad
                    else:
                        grads[parent] = grad
                        heapq.heappush(pending, (-parent.seq, parent))
                else:
                    data = parent.array
                    if grad.shape != data.shape or grad.dtype != data.dtype:
                        grad = _shaped(grad, data.shape, data.dtype)
                    if plain:
                        self._accumulate(parent, grad)
                    else:
                        deliver(parent, grad)
            if self.hooked:
                self._count_down(node.parents)

    def _visit_with_options(self, node: Function, g):
        """A node's backward in a pass that has targets or builds a graph (None: skip it)."""
        if self.target_nodes and id(node) in self.target_nodes:
            self._deliver(self.target_nodes[id(node)], g)
        if self.needed is not None and node not in self.needed:
            return None
        return self._call_graph_backward(node, g) if self.create_graph else node.backward(g)

    @staticmethod
    def _call_graph_backward(node: Function, g):
        """The node's backward on Tensors: the gradient's computation is recorded."""
        if not node.differentiable_twice:
            raise RuntimeError(f"{node.name}: this op's backward is not differentiable "
                               f"(once_differentiable), so create_graph=True cannot go "
                               f"through it")
        node._graph = True
        try:
            return node.backward(g)
        finally:
            node._graph = False

    def _push(self, parent, grad) -> None:
        """Hand a root's gradient to its node (or, for a leaf root, to the leaf itself)."""
        if not isinstance(parent, Function):
            self._deliver(parent, grad)
        elif parent in self.grads:
            self.grads[parent] = self.grads[parent] + grad
        else:
            self.grads[parent] = grad
            heapq.heappush(self.pending, (-parent.seq, parent))

    def _deliver(self, tensor: Tensor, grad) -> None:
        """A tensor's gradient is complete: keep it for grad(), or add it into ``.grad``."""
        if self.targets is not None:
            if id(tensor) not in self.targets:
                return
            if not self.accumulate:
                previous = self.found.get(id(tensor))
                self.found[id(tensor)] = grad if previous is None else previous + grad
                return
        self._accumulate(tensor, grad)

    def _accumulate(self, tensor: Tensor, grad) -> None:
        """``tensor.grad += grad`` without ever writing into an array someone else holds."""
        if isinstance(grad, Tensor):  # create_graph: .grad is part of a graph
            tensor.grad = grad if tensor.grad is None else tensor.grad + grad
        elif tensor.grad is None:
            if grad.base is not None or id(grad) in self.owned or not (
                    type(grad) is not np.ndarray or grad.flags.writeable):  # CuPy: no such flag
                # a C-ordered copy for a C-ordered tensor (a parameter: what the optimizer's
                # kernels walk); else the gradient's own memory order, which a transposed
                # view copies at memory speed (reordered, 2.7 MB took 3 ms)
                grad = grad.copy(order="C" if tensor.array.flags.c_contiguous else "K")
            self.owned.add(id(grad))
            tensor.grad = Tensor._wrap(grad, None)
        else:
            tensor.grad = Tensor._wrap(tensor.grad.array + grad, None)

    def _nodes_leading_to_targets(self) -> set:
        """The nodes whose backward must run to reach a target: those with a target (a leaf,
        or a node that made a non-leaf target) among their ancestors, found in increasing
        sequence order: parents before children."""
        nodes, stack = {}, [r.grad_fn for r in self.roots if r.grad_fn is not None]
        while stack:
            node = stack.pop()
            if id(node) not in nodes:
                nodes[id(node)] = node
                stack.extend(p for p in node.parents if isinstance(p, Function))
        needed, reached = set(), set()  # must run backward / is a target or must run
        for node in sorted(nodes.values(), key=lambda n: n.seq):
            runs = any(id(p) in self.targets if isinstance(p, Tensor) else id(p) in reached
                       for p in node.parents if p is not None)
            if runs:
                needed.add(node)
            if runs or id(node) in self.target_nodes:
                reached.add(id(node))
        return needed
