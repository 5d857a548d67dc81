"""Elementwise activation kernels: forward, backward, and bias + activation fused.

Each activation is a pair of device functions — f(x) and f'(x) — and one kernel template
turns any pair into kernels: ``y = f(x)``, ``dx = g · f'(x)`` and, for a Linear layer's
epilogue, ``y = f(z + b)`` with the bias broadcast along rows (one pass over memory instead of
two: elementwise kernels are limited by memory bandwidth, so passes are what they cost).

The kernels use a grid-stride loop: thread i handles elements i, i + (all threads), ...  so
any size runs on any grid, and consecutive threads touch consecutive elements (coalesced).
Formulas (SPEC F10), in stable float32 forms:
    relu(x) = max(x, 0)                 relu'(x) = [x > 0]
    leaky_relu(x) = x or a·x            leaky_relu'(x) = 1 or a
    σ(x) = 1/(1 + e^-x) (exp of -|x|)   σ'(x) = σ(x)(1 − σ(x))
    tanh(x)                             tanh'(x) = 1 − tanh²(x)
    gelu(x) = x Φ(x)                    gelu'(x) = Φ(x) + x φ(x)    (Φ, φ: the normal cdf, pdf)
"""
from __future__ import annotations

import math

from numba import float32

from . import runtime
from .runtime import ceil_div

cuda = runtime.cuda()

THREADS = 256
MAX_BLOCKS = 1024
# float32 constants: a Python float in a kernel is float64 and drags the arithmetic with it
ONE, HALF = float32(1.0), float32(0.5)
SQRT_HALF = float32(0.7071067811865476)     # 1/√2
INV_SQRT_2PI = float32(0.3989422804014327)  # 1/√(2π)


@cuda.jit(device=True)
def relu(x, slope):
    return x if x > 0 else float32(0.0)


@cuda.jit(device=True)
def relu_grad(x, slope):
    return ONE if x > 0 else float32(0.0)


@cuda.jit(device=True)
def leaky_relu(x, slope):
    return x if x > 0 else slope * x


@cuda.jit(device=True)
def leaky_relu_grad(x, slope):
    return ONE if x > 0 else slope


@cuda.jit(device=True)
def sigmoid(x, slope):
    e = math.exp(-abs(x))              # never overflows
    return ONE / (ONE + e) if x >= 0 else e / (ONE + e)


@cuda.jit(device=True)
def sigmoid_grad(x, slope):
    s = sigmoid(x, slope)
    return s * (ONE - s)


@cuda.jit(device=True)
def tanh(x, slope):
    return math.tanh(x)


@cuda.jit(device=True)
def tanh_grad(x, slope):
    t = math.tanh(x)
    return ONE - t * t


@cuda.jit(device=True)
def gelu(x, slope):
    return x * HALF * (ONE + math.erf(x * SQRT_HALF))


@cuda.jit(device=True)
def gelu_grad(x, slope):
    cdf = HALF * (ONE + math.erf(x * SQRT_HALF))
    return cdf + x * INV_SQRT_2PI * math.exp(-HALF * x * x)


def _forward_kernel(f):
    @cuda.jit
    def forward(x, y, slope):
        """y = f(x) over flat (1-D) arrays."""
        for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
            y[i] = f(x[i], slope)
    return forward


def _backward_kernel(f_grad):
    @cuda.jit
    def backward(x, g, dx, slope):
        """dx = g · f'(x) over flat arrays."""
        for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
            dx[i] = g[i] * f_grad(x[i], slope)
    return backward


def _bias_kernel(f):
    @cuda.jit
    def bias_forward(z, bias, y, slope):
        """y[r, c] = f(z[r, c] + bias[c]) for a flat view of a (rows, len(bias)) matrix."""
        width = bias.size
        for i in range(cuda.grid(1), z.size, cuda.gridsize(1)):
            y[i] = f(z[i] + bias[i % width], slope)
    return bias_forward


PAIRS = {"relu": (relu, relu_grad), "leaky_relu": (leaky_relu, leaky_relu_grad),
         "sigmoid": (sigmoid, sigmoid_grad), "tanh": (tanh, tanh_grad),
         "gelu": (gelu, gelu_grad)}
KERNELS = {name: {"forward": _forward_kernel(f), "backward": _backward_kernel(df),
                  "bias_forward": _bias_kernel(f)} for name, (f, df) in PAIRS.items()}


def _grid(size: int) -> tuple:
    return (max(1, min(ceil_div(size, THREADS), MAX_BLOCKS)),), (THREADS,)


def _kernel(name: str, kind: str):
    if name not in KERNELS:
        raise ValueError(f"activation kernel: unknown activation {name!r}; "
                         f"expected one of {sorted(KERNELS)}")
    return KERNELS[name][kind]


def activation_forward(x, name: str, slope: float = 0.01):
    """f(x) elementwise for a contiguous float32 array of any shape."""
    from .launch import launch
    y = runtime.empty_like_device(x, x.shape)
    launch(_kernel(name, "forward"), *_grid(x.size), x.reshape(-1), y.reshape(-1),
           float32(slope))
    return y


def activation_backward(x, g, name: str, slope: float = 0.01):
    """g · f'(x) elementwise (x: the activation's input)."""
    from .launch import launch
    if x.shape != g.shape:
        raise ValueError(f"activation_backward({name}): input {tuple(x.shape)} and gradient "
                         f"{tuple(g.shape)} must have the same shape")
    dx = runtime.empty_like_device(x, x.shape)
    launch(_kernel(name, "backward"), *_grid(x.size), x.reshape(-1), g.reshape(-1),
           dx.reshape(-1), float32(slope))
    return dx


def bias_activation(z, bias, name: str, slope: float = 0.01):
    """f(z + bias) with bias broadcast along the rows of a (rows, features) z: Linear's
    epilogue in one pass."""
    from .launch import launch
    if z.ndim != 2 or bias.shape != (z.shape[1],):
        raise ValueError(f"bias_activation({name}): z must be (rows, features) and bias "
                         f"(features,); got {tuple(z.shape)} and {tuple(bias.shape)}")
    y = runtime.empty_like_device(z, z.shape)
    launch(_kernel(name, "bias_forward"), *_grid(z.size), z.reshape(-1), bias, y.reshape(-1),
           float32(slope))
    return y
