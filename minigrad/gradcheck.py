"""Gradient checking: compare backward's gradients with central differences.

For a scalar function f and an input element x_i, the central difference

    (f(x + ε e_i) - f(x - ε e_i)) / 2ε

approximates ∂f/∂x_i with an error of order ε² (the one-sided difference has error of order ε).
In float64 with ε = 1e-6 the rounding error of f is about 1e-16/1e-6 = 1e-10, so analytic and
numerical gradients agree to many digits when backward is right, and disagree by far more when
it is wrong.  In float32 rounding alone would give errors of 1e-7/1e-6 = 10%: always check in
float64 (``gradcheck`` converts the inputs for you).

A function with a non-scalar output y is checked through the scalar Σ y ⊙ w with fixed random
weights w, which tests every output's gradient at once (a wrong backward would have to be wrong
in exactly the direction orthogonal to a random w to slip through).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .autograd import enable_grad, no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` with a per-input report of the mismatch."""


@dataclass
class InputReport:
    """How analytic and numerical gradients of one input compare."""

    index: int
    shape: tuple
    max_abs_error: float
    max_rel_error: float
    worst: tuple            # position of the worst element (by tolerance violation)
    analytic: float         # both values there
    numerical: float
    passed: bool

    def describe(self) -> str:
        return (f"input {self.index} of shape {self.shape}: max abs error {self.max_abs_error:.3e}"
                f", max rel error {self.max_rel_error:.3e}; worst at {self.worst}: analytic "
                f"{self.analytic:.10g}, numerical {self.numerical:.10g}")


def _float64_copies(inputs) -> list:
    """Each floating input as a float64 leaf with the same requires_grad; others unchanged."""
    copies = []
    for x in inputs:
        if isinstance(x, Tensor) and x.dtype.kind == "f":
            copy = Tensor._wrap(np.array(x.array, dtype=np.float64), None)
            copies.append(copy.requires_grad_(x.requires_grad))
        else:
            copies.append(x)
    return copies


def _scalarize(fn, inputs, weights_seed: int = 1234):
    """A function of the inputs that returns one float: fn itself if its output is a scalar,
    else Σ fn(inputs) ⊙ w for fixed random w (summed over the outputs when fn returns a tuple
    of Tensors; a ``None`` output counts as zero)."""
    out = fn(*inputs)
    outputs = out if isinstance(out, tuple) else (out,)
    if not all(o is None or isinstance(o, Tensor) for o in outputs):
        raise TypeError(f"gradcheck: fn must return a Tensor (or a tuple of them), got "
                        f"{type(out).__name__}")
    rng = np.random.default_rng(weights_seed)
    weights = [None if o is None else rng.standard_normal(o.shape) for o in outputs]
    if isinstance(out, Tensor) and out.array.size == 1:
        return fn

    def scalar(*xs):
        ys = fn(*xs)
        terms = [(y * w).sum() for y, w in zip(ys if isinstance(ys, tuple) else (ys,), weights)
                 if y is not None]
        return sum(terms[1:], terms[0]) if terms else Tensor(np.float64(0.0))
    return scalar


def numerical_grad(fn, *inputs, eps: float = 1e-6) -> list:
    """Central-difference gradients of a scalar-valued ``fn`` with respect to every input that
    requires grad (one array per such input, in order).  Inputs are perturbed in place and
    restored; use float64 inputs."""
    grads = []
    with no_grad():
        for x in inputs:
            if not (isinstance(x, Tensor) and x.requires_grad):
                continue
            grad = np.zeros(x.shape, dtype=np.float64)
            for i in np.ndindex(*x.shape):
                original = x.array[i].copy()
                x.array[i] = original + eps
                f_plus = float(fn(*inputs).item())
                x.array[i] = original - eps
                f_minus = float(fn(*inputs).item())
                x.array[i] = original
                grad[i] = (f_plus - f_minus) / (2 * eps)
            grads.append(grad)
    return grads


def compare_gradients(fn, *inputs, eps: float = 1e-6, atol: float = 1e-5,
                      rtol: float = 1e-3) -> list[InputReport]:
    """Run backward and central differences in float64; one report per input needing grad."""
    xs = _float64_copies(inputs)
    if not any(isinstance(x, Tensor) and x.requires_grad for x in xs):
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    scalar = _scalarize(fn, xs)
    total = scalar(*xs)
    if total.requires_grad:  # else every gradient is 0, which the differences will confirm
        total.backward()
    numerical = numerical_grad(scalar, *xs, eps=eps)
    reports = []
    wanted = [(i, x) for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]
    for (index, x), num in zip(wanted, numerical):
        ana = x.grad.array if x.grad is not None else np.zeros_like(num)
        error = np.abs(ana - num)
        excess = error - (atol + rtol * np.abs(num))
        worst = np.unravel_index(np.argmax(excess), num.shape) if num.size else ()
        reports.append(InputReport(
            index=index, shape=tuple(x.shape),
            max_abs_error=float(error.max(initial=0)),
            max_rel_error=float((error / np.maximum(np.abs(num), 1e-12)).max(initial=0)),
            worst=tuple(int(w) for w in worst),
            analytic=float(ana[worst]) if num.size else 0.0,
            numerical=float(num[worst]) if num.size else 0.0,
            passed=bool(excess.max(initial=-1) <= 0)))
    return reports


def gradcheck(fn, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """True if, for every input that requires grad, backward's gradient matches the central
    difference within ``atol + rtol * |numerical|`` everywhere; otherwise a GradcheckError
    whose message shows, per input, the largest absolute and relative errors, where the worst
    element is, and both values there."""
    reports = compare_gradients(fn, *inputs, eps=eps, atol=atol, rtol=rtol)
    if all(r.passed for r in reports):
        return True
    lines = [("ok      " if r.passed else "MISMATCH ") + r.describe() for r in reports]
    raise GradcheckError("gradcheck failed (atol={}, rtol={}):\n  {}".format(
        atol, rtol, "\n  ".join(lines)))


def gradgradcheck(fn, *inputs, grad_outputs=None, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3) -> bool:
    """Check second derivatives: the first gradient of ``fn`` (its vector-Jacobian product
    with ``grad_outputs``, random when not given), computed by backward with
    ``create_graph=True``, is itself checked by ``gradcheck`` against central differences of
    that first gradient.  The grad_outputs are checked too (the first gradient is linear in
    them), as in PyTorch; in the report they are the inputs after ``inputs``."""
    from .autograd import grad
    xs = _float64_copies(inputs)
    out = fn(*xs)
    outputs = out if isinstance(out, tuple) else (out,)
    if grad_outputs is None:
        rng = np.random.default_rng(4321)
        grad_outputs = [Tensor(rng.standard_normal(o.shape), requires_grad=True)
                        for o in outputs]
    else:
        grad_outputs = _float64_copies([v if isinstance(v, Tensor) else Tensor(np.asarray(v))
                                        for v in (grad_outputs if isinstance(grad_outputs,
                                                  (tuple, list)) else (grad_outputs,))])
    count = len(xs)

    def first_gradient(*args):
        with enable_grad():  # also while the central differences evaluate it
            ys = fn(*args[:count])
            ys = ys if isinstance(ys, tuple) else (ys,)
            wanted = [a for a in args[:count] if isinstance(a, Tensor) and a.requires_grad]
            return grad(ys, wanted, args[count:], create_graph=True, allow_unused=True)
    try:
        return gradcheck(first_gradient, *xs, *grad_outputs, eps=eps, atol=atol, rtol=rtol)
    except GradcheckError as err:
        raise GradcheckError("gradgradcheck: second derivatives (the first gradient's own "
                             "gradient) disagree with central differences of the first "
                             "gradient; " + str(err)) from None
