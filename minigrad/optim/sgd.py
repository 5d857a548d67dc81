"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from ..backend import array_module_of
from ..kernels import optimizer_step
from ..ops.formula import ONE, formula, select
from .optimizer import Optimizer

# ----------------------------------------------------------------------------- the formula
# One parameter element: its value p, its gradient d, its state; returns the new p and state.
# The per-step scalars come precomputed.  The kernel door runs it on every element in one
# pass (``kernels.optimizer_step``), compiled or on whole arrays (``minigrad.ops.formula``).


@formula(states=0)
def sgd(p, d, lr, weight_decay):
    """SGD (F11): p ← p − α(d + λp).  Returns p."""
    return p - lr * (d + weight_decay * p)


@formula(states=1)
def sgd_momentum(p, d, buffer, lr, momentum, dampening, weight_decay, nesterov, first):
    """SGD with PyTorch's momentum: d ← d + λp; b ← μb + (1 − τ)d (b = d at the first step);
    step = d + μb (nesterov) or b; p ← p − α·step.  Returns (p, b)."""
    d = d + weight_decay * p
    b = select(first, d, momentum * buffer + (ONE - dampening) * d)
    return p - lr * select(nesterov, d + momentum * b, b), b


class SGD(Optimizer):
    """θ ← θ − α g   (F11; formulas ``sgd``, ``sgd_momentum``), where, as in PyTorch,

        g ← ∇θ + λ θ                         (weight decay λ: L2 regularization)
        b ← μ b + (1 − τ) g   (b = g at the first step)      (momentum μ, dampening τ)
        g ← g + μ b  (Nesterov)   or   g ← b  (classical momentum)
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def update(self, p, grad, state, group):
        lr, momentum, decay = group["lr"], group["momentum"], group["weight_decay"]
        if not momentum:
            optimizer_step(sgd, p, grad, (), lr, decay)
            return
        first = "momentum_buffer" not in state
        if first:
            state["momentum_buffer"] = array_module_of(p).zeros_like(p)
        optimizer_step(sgd_momentum, p, grad, (state["momentum_buffer"],), lr, momentum,
                       group["dampening"], decay, bool(group["nesterov"]), first)
