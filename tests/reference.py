"""Helpers that hold a minigrad function against PyTorch and against central differences.

``assert_matches_torch(mg_fn, torch_fn, *arrays)`` runs both functions on float64 copies of the
same arrays, compares outputs, then backpropagates the same random output weights through both
and compares every input's gradient.
"""
import numpy as np
import pytest

import minigrad as mg


def torch_or_skip():
    return pytest.importorskip("torch")


def torch_or_none():
    """PyTorch when installed, else None: for a test whose own assertions hold without it
    and which adds PyTorch's values where it can."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def _differentiable(array) -> bool:
    return isinstance(array, np.ndarray) and array.dtype.kind == "f"


def mg_inputs(arrays):
    return [mg.tensor(a, requires_grad=True) if _differentiable(a) else
            (mg.tensor(a) if isinstance(a, np.ndarray) else a) for a in arrays]


def assert_matches_torch(mg_fn, torch_fn, *arrays, atol=1e-10, rtol=1e-7):
    """Outputs and input gradients of mg_fn and torch_fn agree (float64 arrays in)."""
    torch = torch_or_skip()
    ours = mg_inputs(arrays)
    theirs = [torch.tensor(a, requires_grad=_differentiable(a)) if isinstance(a, np.ndarray)
              else a for a in arrays]
    out, ref = mg_fn(*ours), torch_fn(*theirs)
    np.testing.assert_allclose(out.array, ref.detach().numpy(), atol=atol, rtol=rtol,
                               err_msg="forward differs from PyTorch")
    if not ref.requires_grad:
        return
    weights = np.random.default_rng(7).standard_normal(out.shape)
    (out * weights).sum().backward()
    (ref * torch.tensor(weights)).sum().backward()
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            expected = b.grad.numpy() if b.grad is not None else np.zeros(b.shape)
            got = a.grad.array if a.grad is not None else np.zeros(a.shape)
            np.testing.assert_allclose(got, expected, atol=atol, rtol=rtol,
                                       err_msg=f"gradient of input {i} differs from PyTorch")


def assert_gradcheck(fn, *arrays, **tolerances):
    """minigrad.gradcheck of fn at float64 copies of the arrays."""
    assert mg.gradcheck(fn, *mg_inputs(arrays), **tolerances)


def assert_double_backward_matches_torch(mg_fn, torch_fn, *arrays, atol=1e-9, rtol=1e-7):
    """Second derivatives of mg_fn equal PyTorch's double backward (float64 arrays in).

    Both frameworks compute the first gradient g = vᵀ J (random v) with create_graph=True,
    then differentiate s = Σ_i ⟨g_i, u_i⟩ (random u) with respect to every input and to v:
    the Hessian-vector products of every input pair, and J u."""
    torch = torch_or_skip()
    rng = np.random.default_rng(11)
    ours = mg_inputs(arrays)
    theirs = [torch.tensor(a, requires_grad=_differentiable(a)) if isinstance(a, np.ndarray)
              else a for a in arrays]
    out, ref = mg_fn(*ours), torch_fn(*theirs)
    v = rng.standard_normal(out.shape)
    mv, tv = mg.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    xs_m = [a for a in ours if isinstance(a, mg.Tensor) and a.requires_grad]
    xs_t = [b for b in theirs if isinstance(b, torch.Tensor) and b.requires_grad]
    g_m = mg.autograd.grad(out, xs_m, mv, create_graph=True, allow_unused=True)
    g_t = torch.autograd.grad(ref, xs_t, tv, create_graph=True, allow_unused=True)
    for i, (a, b) in enumerate(zip(g_m, g_t)):
        np.testing.assert_allclose(a.array if a is not None else 0.0,
                                   b.detach().numpy() if b is not None else 0.0,
                                   atol=atol, rtol=rtol, err_msg=f"first gradient {i} differs")
    us = [rng.standard_normal(x.shape) for x in xs_m]
    s_m = sum(((a * u).sum() for a, u in zip(g_m, us) if a is not None and a.requires_grad),
              mg.tensor(0.0, dtype=mg.float64))
    s_t = sum(((b * torch.tensor(u)).sum() for b, u in zip(g_t, us)
               if b is not None and b.requires_grad), torch.tensor(0.0))
    if not s_t.requires_grad:
        assert not s_m.requires_grad, "minigrad's first gradient is not constant like PyTorch's"
        return
    second_m = mg.autograd.grad(s_m, xs_m + [mv], allow_unused=True)
    second_t = torch.autograd.grad(s_t, xs_t + [tv], allow_unused=True)
    for i, (a, b) in enumerate(zip(second_m, second_t)):
        np.testing.assert_allclose(a.array if a is not None else 0.0,
                                   b.numpy() if b is not None else 0.0, atol=atol, rtol=rtol,
                                   err_msg=f"second derivative wrt input {i} differs "
                                           f"(the last is wrt the grad_output v)")
