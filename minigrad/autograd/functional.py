"""Derivatives of whole functions: ``vjp``, ``jvp``, ``vhp``, ``hvp``, ``jacobian``, ``hessian``
(``torch.autograd.functional``'s names, signatures and return shapes).

Everything here is built from ``grad``, reverse mode, and nothing else:

- vjp(f, x, v) = vᵀ J                one backward pass;
- jvp(f, x, v) = J v                 the *double-vjp trick*: g(u) = Jᵀ u is linear in u, so its
                                     vjp with v, ∂⟨Jᵀu, v⟩/∂u = J v, is one more backward
                                     through the graph of the first one (``create_graph``);
- vhp(f, x, v) = vᵀ H                the gradient's own vjp: a second backward (double backprop);
- hvp(f, x, v) = H v                 equal to vhp because a Hessian is symmetric (Schwarz's
                                     theorem, wherever f is twice differentiable), so computed
                                     the same, cheaper way;
- jacobian, hessian                  one vjp per output element (a row at a time).

``inputs`` is a Tensor or a tuple of Tensors, and the results follow that structure.  Unless
``create_graph=True`` the inputs are detached first and the results are detached too; with it,
the results stay differentiable with respect to the original inputs.  ``strict=True`` makes an
output that does not depend on an input an error (otherwise its derivative is zeros).
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .engine import grad
from .grad_mode import enable_grad


def _as_tuple(value, name: str) -> tuple[bool, tuple]:
    is_tuple = isinstance(value, (tuple, list))
    values = tuple(value) if is_tuple else (value,)
    for v in values:
        if not isinstance(v, Tensor):
            raise TypeError(f"{name} must be a Tensor or a tuple of Tensors, got "
                            f"{type(v).__name__}")
    return is_tuple, values


def _prepare(inputs, create_graph: bool) -> tuple[bool, tuple]:
    """Inputs as leaves that require grad (or, with create_graph, still connected to the
    graph the caller's inputs belong to)."""
    is_tuple, xs = _as_tuple(inputs, "inputs")
    prepared = tuple(x.reshape(x.shape) if create_graph and x.requires_grad
                     else x.detach().requires_grad_() for x in xs)
    return is_tuple, prepared


def _vectors(v, like: tuple, name: str, what: str) -> tuple:
    """``v`` as one tensor per entry of ``like`` (same shapes); None only for one-element
    entries (then 1)."""
    if v is None:
        if any(t.numel() != 1 for t in like):
            raise RuntimeError(f"{name}: v can be None only when the {what} has a single "
                               f"element; it has shape {tuple(like[0].shape)}")
        return tuple(Tensor._wrap(t.array * 0 + 1, None) for t in like)
    _, vs = _as_tuple(v, "v")
    if len(vs) != len(like) or any(a.shape != b.shape for a, b in zip(vs, like)):
        raise RuntimeError(f"{name}: v has shapes {[tuple(a.shape) for a in vs]} but the "
                           f"{what} has shapes {[tuple(b.shape) for b in like]}")
    return vs


def _filled(grads, like: tuple, strict: bool, name: str) -> tuple:
    """Zeros for the inputs an output does not depend on (an error when ``strict``)."""
    out = []
    for i, (g, x) in enumerate(zip(grads, like)):
        if g is None:
            if strict:
                raise RuntimeError(f"{name}: the output of the function is independent of "
                                   f"input {i}. This is not allowed in strict mode.")
            g = Tensor._wrap(x.array * 0, None)
        out.append(g)
    return tuple(out)


def _finish(values: tuple, is_tuple: bool, create_graph: bool):
    values = values if create_graph else tuple(v.detach() for v in values)
    return values if is_tuple else values[0]


def _outputs(func, xs: tuple, name: str) -> tuple[bool, tuple]:
    out = func(*xs)
    return _as_tuple(out, f"{name}: the function's output")


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), vᵀ J): the gradient of ⟨func(inputs), v⟩ with respect to the inputs."""
    with enable_grad():
        is_tuple, xs = _prepare(inputs, create_graph)
        out_tuple, ys = _outputs(func, xs, "vjp")
        vs = _vectors(v, ys, "vjp", "output")
        grads = grad(ys, xs, vs, create_graph=create_graph, allow_unused=True)
        grads = _filled(grads, xs, strict, "vjp")
    return _finish(ys, out_tuple, create_graph), _finish(grads, is_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v): how the output moves when the inputs move along v (forward-mode
    AD's answer, computed in reverse mode by the double-vjp trick in the module docstring)."""
    with enable_grad():
        is_tuple, xs = _prepare(inputs, create_graph)
        vs = _vectors(v, xs, "jvp", "input")
        out_tuple, ys = _outputs(func, xs, "jvp")
        us = tuple(Tensor._wrap(y.array * 0, None).requires_grad_() for y in ys)
        transposed = grad(ys, xs, us, create_graph=True, allow_unused=True)   # Jᵀ u
        pairs = [(t, v_) for t, v_ in zip(transposed, vs) if t is not None and t.requires_grad]
        if not pairs:
            jv = (None,) * len(ys)
        else:
            jv = grad([t for t, _ in pairs], us, [v_ for _, v_ in pairs],
                      create_graph=create_graph, allow_unused=True)
        if strict and any(t is None for t in transposed):
            raise RuntimeError("jvp: the output of the function is independent of an input. "
                               "This is not allowed in strict mode.")
        jv = _filled(jv, ys, False, "jvp")
    return _finish(ys, out_tuple, create_graph), _finish(jv, out_tuple, create_graph)


def _scalar_output(func, xs: tuple, name: str) -> Tensor:
    out = func(*xs)
    if not isinstance(out, Tensor) or out.numel() != 1:
        raise RuntimeError(f"{name}: the function must return a single-element Tensor, got "
                           f"{type(out).__name__} of shape {tuple(getattr(out, 'shape', ()))}")
    return out


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), vᵀ H) for a scalar-valued func: the vjp of its gradient (double
    backprop: the first backward records a graph, the second runs through it)."""
    with enable_grad():
        is_tuple, xs = _prepare(inputs, create_graph)
        vs = _vectors(v, xs, "vhp", "input")
        out = _scalar_output(func, xs, "vhp")
        first = grad(out, xs, create_graph=True, allow_unused=True)
        first = _filled(first, xs, strict, "vhp")
        pairs = [(f, v_, i) for i, (f, v_) in enumerate(zip(first, vs)) if f.requires_grad]
        second = (None,) * len(xs)
        if pairs:
            second = grad([f for f, _, _ in pairs], xs, [v_ for _, v_, _ in pairs],
                          create_graph=create_graph, allow_unused=True)
        second = _filled(second, xs, strict, "vhp")
    return _finish((out,), False, create_graph), _finish(second, is_tuple, create_graph)


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v) for a scalar-valued func.  H is symmetric, so H v = (vᵀ H)ᵀ: the
    same two backward passes as ``vhp``."""
    return vhp(func, inputs, v, create_graph, strict)


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """∂ output / ∂ input, of shape output.shape + input.shape, one reverse pass per output
    element (``strategy='forward-mode'``: one jvp per input element instead).  Tuples of
    inputs/outputs give tuples (of tuples: [output][input]), as PyTorch.  ``vectorize`` is
    accepted and ignored (PyTorch's vmap speed-up; the result is the same)."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian: strategy must be 'reverse-mode' or 'forward-mode', got "
                         f"{strategy!r}")
    with enable_grad():
        is_tuple, xs = _prepare(inputs, create_graph)
        out_tuple, ys = _outputs(func, xs, "jacobian")
        if strategy == "forward-mode":
            blocks = _jacobian_by_columns(func, xs, ys, create_graph, strict)
        else:
            blocks = _jacobian_by_rows(xs, ys, create_graph, strict)
    blocks = [[b if create_graph else b.detach() for b in row] for row in blocks]
    rows = [tuple(row) if is_tuple else row[0] for row in blocks]
    return tuple(rows) if out_tuple else rows[0]


def _one_hot(like: Tensor, index: int) -> Tensor:
    e = like.array.reshape(-1) * 0
    e[index] = 1
    return Tensor._wrap(e.reshape(like.shape), None)


def _stacked(pieces: list, shape: tuple) -> Tensor:
    from ..tensor_functions import stack
    return stack(pieces).reshape(shape) if pieces else Tensor._wrap(np.zeros(shape), None)


def _jacobian_by_rows(xs, ys, create_graph, strict) -> list:
    """Row k of the Jacobian = the gradient of output element k (a vjp with e_k)."""
    blocks = []
    for y in ys:
        per_input = [[] for _ in xs]
        for k in range(y.numel()):
            row = grad((y,), xs, (_one_hot(y, k),), retain_graph=True,
                       create_graph=create_graph, allow_unused=True)
            row = _filled(row, xs, strict, "jacobian")
            for pieces, r in zip(per_input, row):
                pieces.append(r)
        blocks.append([_stacked(pieces, tuple(y.shape) + tuple(x.shape))
                       for pieces, x in zip(per_input, xs)])
    return blocks


def _jacobian_by_columns(func, xs, ys, create_graph, strict) -> list:
    """Column k of the Jacobian = J e_k (a jvp with e_k), for each input element k."""
    blocks = [[None] * len(xs) for _ in ys]
    for i, x in enumerate(xs):
        columns = [[] for _ in ys]
        for k in range(x.numel()):
            v = tuple(_one_hot(x, k) if j == i else Tensor._wrap(z.array * 0, None)
                      for j, z in enumerate(xs))
            _, jv = jvp(func, xs, v, create_graph=create_graph, strict=strict)
            for pieces, c in zip(columns, jv if isinstance(jv, tuple) else (jv,)):
                pieces.append(c)
        for o, (pieces, y) in enumerate(zip(columns, ys)):
            moved = _stacked(pieces, tuple(x.shape) + tuple(y.shape))
            blocks[o][i] = moved.permute(*range(x.ndim, x.ndim + y.ndim), *range(x.ndim))
    return blocks


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """∂²f/∂x∂x for a scalar-valued func, of shape input.shape + input.shape (tuples of
    inputs give a tuple of tuples): the Jacobian of the gradient."""
    is_tuple, _ = _as_tuple(inputs, "inputs")

    def gradient(*xs):
        out = _scalar_output(func, xs, "hessian")
        first = grad(out, xs, create_graph=True, allow_unused=True)
        return _filled(first, xs, strict, "hessian")
    result = jacobian(gradient, inputs, create_graph, strict, vectorize,
                      outer_jacobian_strategy)
    return result if is_tuple else result[0]
