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
    np.testing.assert_allclose(out.data, ref.detach().numpy(), atol=atol, rtol=rtol,
                               err_msg="forward differs from PyTorch")
    if not ref.requires_grad:
        return
    weights = np.random.default_rng(7).standard_normal(out.shape)
    (out * weights).sum().backward()
    (ref * torch.tensor(weights)).sum().backward()
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            expected = b.grad.numpy() if b.grad is not None else np.zeros(b.shape)
            got = a.grad.data if a.grad is not None else np.zeros(a.shape)
            np.testing.assert_allclose(got, expected, atol=atol, rtol=rtol,
                                       err_msg=f"gradient of input {i} differs from PyTorch")


def assert_gradcheck(fn, *arrays, **tolerances):
    """minigrad.gradcheck of fn at float64 copies of the arrays."""
    assert mg.gradcheck(fn, *mg_inputs(arrays), **tolerances)
