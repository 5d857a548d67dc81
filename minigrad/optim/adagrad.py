"""Adagrad and Adadelta: per-coordinate step sizes from the history of squared gradients."""
from __future__ import annotations

import math

from ..backend import array_module_of
from ..kernels import optimizer_step
from ..ops.formula import formula, sqrt
from .optimizer import Optimizer

# ----------------------------------------------------------------------------- the formula
# One parameter element: its value p, its gradient d, its state; returns the new p and state.
# The per-step scalars come precomputed.  The kernel door runs it on every element in one
# pass (``kernels.optimizer_step``), compiled or on whole arrays (``minigrad.ops.formula``).


@formula(states=1)
def adagrad(p, d, state_sum, clr, eps, weight_decay):
    """Adagrad: d ← d + λp; s ← s + d² (every squared gradient so far);
    p ← p − clr · d/(√s + ε), clr = lr/(1 + (t − 1)·lr_decay) computed per step.
    Returns (p, s)."""
    d = d + weight_decay * p
    s = state_sum + d * d
    return p - clr * d / (sqrt(s) + eps), s


@formula(states=2)
def adadelta(p, d, square_avg, acc_delta, lr, rho, rest, eps, weight_decay):
    """Adadelta: d ← d + λp; s ← ρs + (1 − ρ)d²; Δ = √(u + ε)/√(s + ε) · d (a step in the
    units of p: the running RMS of past steps over that of gradients); u ← ρu + (1 − ρ)Δ²;
    p ← p − lr·Δ.  ``rest`` = 1 − ρ.  Returns (p, s, u)."""
    d = d + weight_decay * p
    s = rho * square_avg + rest * d * d
    delta = sqrt(acc_delta + eps) / sqrt(s + eps) * d
    return p - lr * delta, s, rho * acc_delta + rest * delta * delta


class Adagrad(Optimizer):
    """As in PyTorch:

        g ← ∇θ + λ θ
        s ← s + g²                                   (every squared gradient so far)
        θ ← θ − η_t g / (√s + ε),   η_t = η / (1 + (t − 1)·lr_decay)

    Coordinates with large past gradients take ever smaller steps; s only grows, so the
    steps shrink for good (Adadelta and RMSprop forget old gradients instead).
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10):
        for name, value in (("lr", lr), ("lr_decay", lr_decay), ("weight_decay", weight_decay),
                            ("initial_accumulator_value", initial_accumulator_value),
                            ("eps", eps)):
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"Adagrad: {name} must be a finite number >= 0, got {value}")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps))

    def update(self, p, grad, state, group):
        if not state:
            state["step"] = 0
            state["sum"] = array_module_of(p).full_like(p, group["initial_accumulator_value"])
        state["step"] += 1
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        optimizer_step(adagrad, p, grad, (state["sum"],), clr, group["eps"],
                       group["weight_decay"])


class Adadelta(Optimizer):
    """As in PyTorch:

        g ← ∇θ + λ θ
        s ← ρ s + (1 − ρ) g²
        Δ ← √(u + ε) / √(s + ε) · g                  (a step in θ's own units)
        u ← ρ u + (1 − ρ) Δ²
        θ ← θ − η Δ                                   (η = 1 in the paper)
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0):
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Adadelta: rho must be in [0, 1], got {rho}")
        for name, value in (("lr", lr), ("eps", eps), ("weight_decay", weight_decay)):
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"Adadelta: {name} must be a finite number >= 0, got {value}")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))

    def update(self, p, grad, state, group):
        if not state:
            xp = array_module_of(p)
            state["step"], state["square_avg"], state["acc_delta"] = 0, xp.zeros_like(p), \
                xp.zeros_like(p)
        state["step"] += 1
        rho = group["rho"]
        optimizer_step(adadelta, p, grad, (state["square_avg"], state["acc_delta"]),
                       group["lr"], rho, 1 - rho, group["eps"], group["weight_decay"])
