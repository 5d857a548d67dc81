"""The seeds' optimizer formulas exactly as printed, for the lessons to compare.

* F12 (seed 002:139-141) calls ``θ ← θ − α ∇L`` "Adam": that is plain SGD (``SGD(lr=α)``).
* F13 (seed 003:246-248) prints Adam without bias correction:
  ``m ← β₁ m + (1 − β₁) g``, ``v ← β₂ v + (1 − β₂) g²``, ``w ← w − α m / (√v + ε)``.
  Because m and v start at 0, early steps are tiny (m ≈ (1 − β₁) g at t = 1) and the ratio
  m/√v is biased; Adam's m̂, v̂ undo that.
"""
from __future__ import annotations

from ..backend import array_module_of
from .adam import Adam
from .sgd import SGD


class SeedF12Adam(SGD):
    """Seed 002's "Adam": θ ← θ − α ∇L, which is SGD without momentum."""

    def __init__(self, params, lr: float = 1e-3):
        super().__init__(params, lr=lr)


class SeedF13Adam(Adam):
    """Seed 003's Adam as printed: no bias correction."""

    def update(self, p, grad, state, group):
        xp = array_module_of(p)
        (beta1, beta2), eps = group["betas"], group["eps"]
        if not state:
            state["step"] = 0
            state["exp_avg"], state["exp_avg_sq"] = xp.zeros_like(p), xp.zeros_like(p)
        state["step"] += 1
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad * grad
        p -= group["lr"] * m / (xp.sqrt(v) + eps)
