"""Adam and AdamW (SPEC F13, with the bias correction the seed leaves out)."""
from __future__ import annotations

import math

from ..backend import array_module_of
from .optimizer import Optimizer


class Adam(Optimizer):
    """As in PyTorch, at step t:

        g ← ∇θ + λ θ                                   (L2 weight decay; see AdamW)
        m ← β₁ m + (1 − β₁) g,     v ← β₂ v + (1 − β₂) g²
        m̂ = m / (1 − β₁ᵗ),        v̂ = v / (1 − β₂ᵗ)      (bias correction: m, v start at 0)
        θ ← θ − α m̂ / (√v̂ + ε)     (amsgrad: √ of the running maximum of v̂ instead)
    """

    decoupled_weight_decay = False

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"{type(self).__name__}: betas must be in [0, 1), got {betas}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad))

    def update(self, p, grad, state, group):
        xp = array_module_of(p)
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        if group["weight_decay"]:
            if self.decoupled_weight_decay:
                p *= 1 - lr * group["weight_decay"]
            else:
                grad = grad + group["weight_decay"] * p
        if not state:
            state["step"] = 0
            state["exp_avg"], state["exp_avg_sq"] = xp.zeros_like(p), xp.zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = xp.zeros_like(p)
        state["step"] += 1
        t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * xp.square(grad)
        if group["amsgrad"]:
            xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        # the same formula, evaluated in one scratch array (these run once per parameter per
        # step, and memory traffic is their whole cost): step = α m̂ / (√v̂ + ε)
        step = xp.sqrt(v)
        step /= math.sqrt(1 - beta2 ** t)
        step += eps
        xp.divide(m, step, out=step)
        step *= lr / (1 - beta1 ** t)
        p -= step


class AdamW(Adam):
    """Adam with decoupled weight decay: θ ← θ (1 − α λ) before the Adam step, instead of adding
    λ θ to the gradient (where Adam's scaling would shrink it for large-gradient weights)."""

    decoupled_weight_decay = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
