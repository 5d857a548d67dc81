"""Int8 quantization as ops: rounding to an int8 grid, and reading int8 values back.

A real number x is stored as the integer q = clamp(round(x / s), -128, 127) and read back as
q·s (symmetric quantization: zero stays exactly zero).  The scale s sets the grid's step; a
value beyond 127·s saturates.  Two ops model it in float arithmetic, giving exactly the
values an int8 kernel computes with: ``QuantizeDequantize`` (an activation rounded to its
grid) and ``Dequantize`` (int8 weights read back).  They export to ONNX as QuantizeLinear /
DequantizeLinear, which onnxruntime can run as int8 kernels.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import array_module_of

INT8_MIN, INT8_MAX = -128, 127


def to_int8(x, scale):
    """q = clamp(round(x / s), -128, 127) (round half to even, as ONNX), as int8."""
    xp = array_module_of(x)
    return xp.clip(xp.rint(x / scale), INT8_MIN, INT8_MAX).astype(np.int8)


class QuantizeDequantize(Function):
    """x̃ = s · clamp(round(x / s), -128, 127): x on the int8 grid of step ``scale`` (a
    number: one scale for the whole tensor).
    dL/dx = g where x is inside the grid's range, 0 where it saturated: the rounding is
    treated as the identity (the straight-through estimator), so a quantized model can be
    fine-tuned."""

    def forward(ctx, x, scale):
        q = to_int8(x, scale)
        ctx.save_for_backward((q > INT8_MIN) & (q < INT8_MAX))
        return (q * x.dtype.type(scale)).astype(x.dtype, copy=False)

    def backward(ctx, g):
        (inside,) = ctx.saved
        return g * inside


class Dequantize(Function):
    """w = q · s with int8 values q and one scale per slice along ``axis`` (per-channel
    weights: one scale per output channel).  Integers carry no gradient."""

    def forward(ctx, q, scale, axis=0):
        shape = [1] * q.ndim
        shape[axis] = -1
        return q.astype(scale.dtype) * scale.reshape(shape)

    def backward(ctx, g):  # pragma: no cover - its integer input never asks for one
        return None, None
