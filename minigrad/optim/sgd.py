"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from ..backend import array_module_of
from ..kernels import optimizer_step
from .optimizer import Optimizer


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
            optimizer_step("sgd", p, grad, (), lr, decay)
            return
        first = "momentum_buffer" not in state
        if first:
            state["momentum_buffer"] = array_module_of(p).zeros_like(p)
        optimizer_step("sgd_momentum", p, grad, (state["momentum_buffer"],), lr, momentum,
                       group["dampening"], decay, bool(group["nesterov"]), first)
