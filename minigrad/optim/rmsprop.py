"""RMSprop: divide the step by a running root-mean-square of recent gradients."""
from __future__ import annotations

from ..backend import array_module_of
from ..kernels import optimizer_step
from ..ops.formula import formula, sqrt
from .optimizer import Optimizer

# ----------------------------------------------------------------------------- the formula
# One parameter element: its value p, its gradient d, its state; returns the new p and state.
# The per-step scalars come precomputed.  The kernel door runs it on every element in one
# pass (``kernels.optimizer_step``), compiled or on whole arrays (``minigrad.ops.formula``).


@formula(states=1)
def rmsprop(p, d, square_avg, lr, alpha, rest, eps, weight_decay):
    """RMSprop, PyTorch's form without momentum: d ← d + λp; s ← αs + (1 − α)d²;
    p ← p − lr · d/(√s + ε); ``rest`` = 1 − α, computed in float64.  Returns (p, s)."""
    d = d + weight_decay * p
    s = alpha * square_avg + rest * d * d
    return p - lr * d / (sqrt(s) + eps), s


class RMSprop(Optimizer):
    """As in PyTorch:

        g ← ∇θ + λ θ
        s ← α s + (1 − α) g²                            (running mean square)
        d ← √(s − ḡ²) + ε,  ḡ ← α ḡ + (1 − α) g   (centered)   or   d ← √s + ε
        b ← μ b + g / d,  θ ← θ − η b   (momentum μ)   or   θ ← θ − η g / d
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def update(self, p, grad, state, group):
        xp = array_module_of(p)
        alpha = group["alpha"]
        if not (group["momentum"] or group["centered"]):  # the common case: one formula
            if not state:
                state["step"], state["square_avg"] = 0, xp.zeros_like(p)
            state["step"] += 1
            optimizer_step(rmsprop, p, grad, (state["square_avg"],), group["lr"], alpha,
                           1 - alpha, group["eps"], group["weight_decay"])
            return
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(p)
            if group["momentum"]:
                state["momentum_buffer"] = xp.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = xp.zeros_like(p)
        state["step"] += 1
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg *= alpha
            grad_avg += (1 - alpha) * grad
            denom = xp.sqrt(square_avg - grad_avg * grad_avg) + group["eps"]
        else:
            denom = xp.sqrt(square_avg) + group["eps"]
        if group["momentum"]:
            buffer = state["momentum_buffer"]
            buffer *= group["momentum"]
            buffer += grad / denom
            p -= group["lr"] * buffer
        else:
            p -= group["lr"] * grad / denom
