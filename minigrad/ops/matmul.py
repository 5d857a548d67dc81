"""Matrix product with NumPy's semantics: vectors, matrices, and stacks of matrices whose
batch dimensions broadcast."""
from __future__ import annotations

from .. import kernels
from ..autograd import Function
from ..backend import array_module_of
from ..errors import ShapeError
from ..promotion import computable
from .activations import APPLY, ReLU, Sigmoid, Tanh


def _check_shapes(a, b) -> None:
    """Name both shapes and the two sizes that disagree, before NumPy's terser message."""
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: both operands need at least one dimension; got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    computable("matmul", a, b)  # a storage-only dtype (bfloat16) is refused
    k_a, k_b = a.shape[-1], b.shape[-2 if b.ndim > 1 else 0]
    if k_a != k_b:
        raise ShapeError(f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} are not "
                         f"aligned: {k_a} (last dim of the first) != {k_b} "
                         f"({'second-to-last' if b.ndim > 1 else 'only'} dim of the second)")


def _swap(m):
    """The transpose of each matrix in a stack (a view)."""
    return m.T if m.ndim == 2 else array_module_of(m).swapaxes(m, -1, -2)


class MatMul(Function):
    """Z = A @ B.   dL/dA = G @ Bᵀ,   dL/dB = Aᵀ @ G   (Bᵀ, Aᵀ: each matrix transposed).

    A vector operand is a matrix with one row (A) or one column (B) whose extra axis is dropped
    from the result; backward puts it back, applies the matrix formulas, and drops it again.
    Gradients of broadcast batch dimensions are summed back by the engine's ``unbroadcast``.
    """

    def forward(ctx, a, b):
        _check_shapes(a, b)
        ctx.save_for_backward(a, b)
        return a @ b

    def backward(ctx, g):
        a, b = ctx.saved
        if a.ndim == 1 and b.ndim == 1:  # dot product: g is a scalar
            return g * b, g * a
        if a.ndim == 2 and b.ndim == 2:  # the common case, without the vector bookkeeping
            return (g @ b.T if ctx.needs_input_grad[0] else None,
                    a.T @ g if ctx.needs_input_grad[1] else None)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = g2[..., None, :]
        if b.ndim == 1:
            g2 = g2[..., None]
        da = db = None
        if ctx.needs_input_grad[0]:
            da = g2 @ _swap(b2)
            if a.ndim == 1:
                da = da[..., 0, :]
        if ctx.needs_input_grad[1]:
            db = _swap(a2) @ g2
            if b.ndim == 1:
                db = db[..., 0]
        return da, db


class Linear(Function):
    """y = x Wᵀ + b for x of shape (..., in), W of shape (out, in): F1 for a whole layer.
    dL/dx = g W,   dL/dW = gᵀ x (summed over all leading dims),   dL/db = Σ g  (F2)."""

    def forward(ctx, x, weight, bias=None):
        y = _product(x, weight)
        if bias is not None:
            y += bias  # in place: y is the GEMM's fresh output (no second array)
        ctx.save_for_backward(x, weight)
        return y.reshape(*x.shape[:-1], weight.shape[0])

    def backward(ctx, g):
        x, weight = ctx.saved
        return _linear_backward(ctx, g, x, weight)


def _product(x, weight):
    """x Wᵀ with x's leading dims as one matrix (one GEMM, not a batch): (rows, out)."""
    if x.shape[-1] != weight.shape[1]:
        raise ShapeError(f"linear: input of shape {tuple(x.shape)} has {x.shape[-1]} "
                         f"features, but the weight of shape {tuple(weight.shape)} expects "
                         f"{weight.shape[1]}")
    return x.reshape(-1, x.shape[-1]) @ weight.T


def _linear_backward(ctx, g, x, weight):
    """(dL/dx = g W, dL/dW = gᵀ x, dL/db = Σ g) for the inputs that need them."""
    rows = g.reshape(-1, g.shape[-1])
    dx = (rows @ weight).reshape(x.shape) if ctx.needs_input_grad[0] else None
    dw = rows.T @ x.reshape(-1, x.shape[-1]) if ctx.needs_input_grad[1] else None
    db = rows.sum(axis=0) if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2] \
        else None
    return dx, dw, db


class LinearActivation(Function):
    """y = f(x Wᵀ + b), f = relu, sigmoid or tanh: a Linear layer and the activation after it
    as one node, the bias add and f in one pass over the output (the fused kernel
    ``<f>_bias_map``: Linear's epilogue).  A fused ``nn.Sequential`` uses it for a Linear
    followed by one of these activations when the kernel door runs ``bias_activation``.
    dL/da = f'(a) from the output y (the activation op's derivative formula: ``relu_back``,
    ``sigmoid_back``, ``tanh_back``), then Linear's backward with dL/da."""

    derivatives = {"relu": ReLU.formulas[1], "sigmoid": Sigmoid.formulas[1],
                   "tanh": Tanh.formulas[1]}

    def forward(ctx, x, weight, bias, activation):
        z = _product(x, weight)
        y = kernels.bias_activation(z, bias, activation)
        if y is None:  # the array formulas, as the separate ops compute them
            y = APPLY[activation](z + bias)
        out = y.reshape(*x.shape[:-1], weight.shape[0])
        ctx.save_for_backward(x, weight, out)  # the output itself: backward reads f' from it
        ctx.activation = activation
        return out

    def backward(ctx, g):
        x, weight, y = ctx.saved
        ga = kernels.pointwise(ctx.derivatives[ctx.activation], g, y)
        return _linear_backward(ctx, ga, x, weight)
