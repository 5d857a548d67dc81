"""Activation kernels on the GPU: forward, backward, and bias + activation fused.

Nothing here writes a formula: each activation and its derivative is written once, next to
its op in ``minigrad.ops.activations``, and ``compile.py`` turns each into a CUDA kernel (``relu_map``,
``relu_back_map``, ``relu_bias_map``...), the same source that the CPU kernels and the array
path run.  This module launches them on CuPy arrays (or NumPy ones in the simulator) and
checks their shapes.

The bias epilogue is Linear's ``y = f(z + b)`` with the bias broadcast along the rows: one pass
over memory instead of two.  Elementwise kernels are limited by memory bandwidth, so passes are
what they cost.  Every kernel loops grid-stride (thread t handles elements t, t + (all
threads), ...), so any size runs on any grid and neighbouring threads touch neighbouring
elements (coalesced).
"""
from __future__ import annotations

from . import runtime
from .compile import kernels, pointwise_table
from .runtime import ceil_div

THREADS = 256
MAX_BLOCKS = 1024

BACKWARD_FROM = {"relu": "output", "leaky_relu": "input", "sigmoid": "output",
                 "tanh": "output", "gelu": "input", "gelu_tanh": "input"}
"""What each derivative is computed from (what the op keeps for backward): σ' = σ(1 − σ) and
tanh' = 1 − tanh² from the output, GELU's and leaky ReLU's from the input."""


def _grid(size: int) -> tuple:
    return (max(1, min(ceil_div(size, THREADS), MAX_BLOCKS)),), (THREADS,)


def _launch(name: str, kind: str, out, *arrays, slope: float) -> None:
    """Launch ``<name><kind>`` over flat views, with leaky ReLU's slope where it takes one."""
    from .launch import launch
    if name not in BACKWARD_FROM:
        raise ValueError(f"activation kernel: unknown activation {name!r}; "
                         f"expected one of {sorted(BACKWARD_FROM)}")
    from minigrad.ops.formula import FORMULAS   # each formula says whether it takes a slope
    scalars = (out.dtype.type(slope),) if pointwise_table(FORMULAS.values())[name][1] else ()
    kernel = getattr(kernels("cuda", out.dtype), name + kind)
    launch(kernel, *_grid(out.size), *(a.reshape(-1) for a in arrays), *scalars,
           out.reshape(-1))


def activation_forward(x, name: str, slope: float = 0.01):
    """f(x) elementwise, for a contiguous float array of any shape."""
    y = runtime.empty_like_device(x, x.shape)
    _launch(name, "_map", y, x, slope=slope)
    return y


def activation_backward(g, saved, name: str, slope: float = 0.01):
    """dL/dx = g · f'(x) elementwise, from ``saved``: the activation's output or its input, as
    ``BACKWARD_FROM[name]`` says."""
    if saved.shape != g.shape:
        raise ValueError(f"activation_backward({name}): gradient {tuple(g.shape)} and saved "
                         f"{BACKWARD_FROM.get(name, 'value')} {tuple(saved.shape)} must have "
                         f"the same shape")
    dx = runtime.empty_like_device(g, g.shape)
    _launch(name, "_back_map", dx, g, saved, slope=slope)
    return dx


def bias_activation(z, bias, name: str, slope: float = 0.01):
    """f(z + bias) with bias broadcast along the rows of a (rows, features) z: Linear's
    epilogue in one pass."""
    if z.ndim != 2 or bias.shape != (z.shape[1],):
        raise ValueError(f"bias_activation({name}): z must be (rows, features) and bias "
                         f"(features,); got {tuple(z.shape)} and {tuple(bias.shape)}")
    y = runtime.empty_like_device(z, z.shape)
    _launch(name, "_bias_map", y, z, bias, slope=slope)
    return y
