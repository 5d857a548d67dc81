"""Adam and AdamW (SPEC F13, with the bias correction the seed leaves out)."""
from __future__ import annotations

import math

from ..backend import array_module_of
from ..kernels import optimizer_step
from ..ops.formula import formula, select, sqrt
from .optimizer import Optimizer

# ----------------------------------------------------------------------------- the formula
# One parameter element: its value p, its gradient d, its state; returns the new p and state.
# The per-step scalars come precomputed.  The kernel door runs it on every element in one
# pass (``kernels.optimizer_step``), compiled or on whole arrays (``minigrad.ops.formula``).


@formula(states=2)
def adam(p, d, m, v, lr_t, beta1, beta2, rest1, rest2, eps_t, weight_decay, decay_factor):
    """Adam (F13 with bias correction), PyTorch's order: p ← p·(1 − αλ) (AdamW's decoupled
    decay: decay_factor); d ← d + λp (Adam's L2: weight_decay); m ← β₁m + (1 − β₁)d;
    v ← β₂v + (1 − β₂)d²; p ← p − lr_t · m / (√v + eps_t), where lr_t = α√(1 − β₂ᵗ)/(1 − β₁ᵗ)
    and eps_t = ε√(1 − β₂ᵗ) fold in the bias corrections m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
    (α m̂/(√v̂ + ε) is that, with numerator and denominator scaled by √(1 − β₂ᵗ)).
    ``rest1`` = 1 − β₁ and ``rest2`` = 1 − β₂ come computed in float64 (as in PyTorch): in
    float32, 1 − 0.999 keeps only four correct digits.  Returns (p, m, v)."""
    p = p * decay_factor
    d = d + weight_decay * p
    m = beta1 * m + rest1 * d
    v = beta2 * v + rest2 * d * d
    return p - lr_t * m / (sqrt(v) + eps_t), m, v


@formula(states=3)
def adam_amsgrad(p, d, m, v, v_max, lr_t, beta1, beta2, rest1, rest2, eps_t, weight_decay,
                 decay_factor):
    """Adam with AMSGrad: as ``adam``, dividing by the running maximum of v instead of v.
    Returns (p, m, v, v_max)."""
    p = p * decay_factor
    d = d + weight_decay * p
    m = beta1 * m + rest1 * d
    v = beta2 * v + rest2 * d * d
    v_max = select(v > v_max, v, v_max)
    return p - lr_t * m / (sqrt(v_max) + eps_t), m, v, v_max


class Adam(Optimizer):
    """As in PyTorch, at step t (formulas ``adam`` and ``adam_amsgrad`` above, one pass per
    parameter when they run as kernels):

        g ← ∇θ + λ θ                                   (L2 weight decay; see AdamW)
        m ← β₁ m + (1 − β₁) g,     v ← β₂ v + (1 − β₂) g²
        m̂ = m / (1 − β₁ᵗ),        v̂ = v / (1 − β₂ᵗ)      (bias correction: m, v start at 0)
        θ ← θ − α m̂ / (√v̂ + ε)     (amsgrad: √ of the running maximum of v̂ instead)
    """

    decoupled_weight_decay = False

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *, foreach=None,
                 fused=None):
        """``foreach`` and ``fused`` (PyTorch's implementation choices) are accepted: with
        kernels on, minigrad's step is already one fused pass per parameter."""
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"{type(self).__name__}: betas must be in [0, 1), got {betas}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad))

    def update(self, p, grad, state, group):
        xp = array_module_of(p)
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        if not state:
            state["step"] = 0
            state["exp_avg"], state["exp_avg_sq"] = xp.zeros_like(p), xp.zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = xp.zeros_like(p)
        state["step"] += 1
        t = state["step"]
        correction2 = math.sqrt(1 - beta2 ** t)  # the bias corrections, folded into the step
        lr_t, eps_t = lr * correction2 / (1 - beta1 ** t), eps * correction2
        decay = group["weight_decay"]
        decay_factor, weight_decay = (1 - lr * decay, 0.0) if self.decoupled_weight_decay \
            else (1.0, decay)
        moments = (state["exp_avg"], state["exp_avg_sq"])
        if group["amsgrad"]:
            optimizer_step(adam_amsgrad, p, grad, moments + (state["max_exp_avg_sq"],), lr_t,
                           beta1, beta2, 1 - beta1, 1 - beta2, eps_t, weight_decay, decay_factor)
        else:
            optimizer_step(adam, p, grad, moments, lr_t, beta1, beta2, 1 - beta1, 1 - beta2,
                           eps_t, weight_decay, decay_factor)


class AdamW(Adam):
    """Adam with decoupled weight decay: θ ← θ (1 − α λ) before the Adam step, instead of adding
    λ θ to the gradient (where Adam's scaling would shrink it for large-gradient weights)."""

    decoupled_weight_decay = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, foreach=None,
                 fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
