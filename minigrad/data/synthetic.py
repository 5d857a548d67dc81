"""Small 2-D classification sets generated from a seed, for demos and tests.

Both return ``(x, y)``: float32 points of shape (n, 2) and int64 labels of shape (n,).
"""
from __future__ import annotations

import numpy as np


def moons(n: int = 400, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles: class 0 the upper arc, class 1 the lower, shifted one."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    angle = rng.uniform(0, np.pi, n)
    x = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    x[y == 1] = np.stack([1 - np.cos(angle[y == 1]), 0.5 - np.sin(angle[y == 1])], axis=1)
    x += rng.normal(0, noise, x.shape)
    return x.astype(np.float32), y.astype(np.int64)


def spirals(n: int = 600, classes: int = 3, noise: float = 0.2, seed: int = 0):
    """``classes`` interleaved spiral arms (not linearly separable)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    radius = rng.uniform(0.05, 1, n)
    angle = y * 2 * np.pi / classes + radius * 4 + rng.normal(0, noise, n)
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return x.astype(np.float32), y.astype(np.int64)


HOUSE_WEIGHT, HOUSE_BIAS = 2.5, 1.0
"""The line the P6 "house price" data is drawn around."""


def house_prices(n: int = 100, noise: float = 0.1, seed: int = 0):
    """P6's data (seed 002:147-231 uses 100 unspecified "house" samples): one feature, area
    x ~ U(0, 1) in normalized units, price y = 2.5 x + 1.0 + N(0, noise²).  Returns
    (x float32 (n, 1), y float32 (n, 1)); a good fit recovers w ≈ 2.5, b ≈ 1.0 and reaches
    an MSE near noise² = 0.01."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (n, 1))
    y = HOUSE_WEIGHT * x + HOUSE_BIAS + rng.normal(0, noise, (n, 1))
    return x.astype(np.float32), y.astype(np.float32)
