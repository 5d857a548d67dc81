"""Adversarial training (SPEC F17): a generator G maps noise z to samples, a discriminator D
scores samples with a logit (D = σ(logit) is its belief that a sample is real), and they are
trained in turns:

    D minimizes  -log D(x) - log(1 - D(G(z)))          (real → 1, fake → 0)
    G minimizes  -log D(G(z))                          (non-saturating, as the seeds print it)
            or    log(1 - D(G(z)))                     (the original minimax form)

Both losses are computed from logits (``F.gan_discriminator_loss``, ``F.gan_generator_loss``).
With the minimax form, G's gradient vanishes exactly when D confidently rejects its samples —
at the start of training — which is why the non-saturating form is used.
"""
from __future__ import annotations

import numpy as np

from . import functional as F
from .autograd import no_grad
from .backend import manual_seed
from .creation import randn, tensor
from .nn import LeakyReLU, Linear, ReLU, Sequential, Tanh
from .optim import Adam


def mixture_of_gaussians(n: int, modes: int = 8, radius: float = 2.0, std: float = 0.05,
                         seed: int = 0) -> np.ndarray:
    """(n, 2) float32 points from ``modes`` Gaussians evenly spaced on a circle."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * rng.integers(0, modes, n) / modes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return (centers + rng.normal(0, std, (n, 2))).astype(np.float32)


def mode_coverage(samples: np.ndarray, modes: int = 8, radius: float = 2.0,
                  std: float = 0.05) -> tuple[int, float]:
    """(number of modes that received at least 1% of the samples within 3 std,
    share of samples that are within 3 std of some mode)."""
    angles = 2 * np.pi * np.arange(modes) / modes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    distance = np.linalg.norm(samples[:, None, :] - centers[None], axis=2)
    near = distance.min(axis=1) < 3 * std
    nearest = distance.argmin(axis=1)[near]
    counts = np.bincount(nearest, minlength=modes)
    return int((counts >= 0.01 * len(samples)).sum()), float(near.mean())


def mlp_generator(latent: int, out: int, hidden: int = 128, squash: bool = False) -> Sequential:
    layers = [Linear(latent, hidden), ReLU(), Linear(hidden, hidden), ReLU(), Linear(hidden, out)]
    return Sequential(*layers, Tanh()) if squash else Sequential(*layers)


def mlp_discriminator(features: int, hidden: int = 128) -> Sequential:
    return Sequential(Linear(features, hidden), LeakyReLU(0.2), Linear(hidden, hidden),
                      LeakyReLU(0.2), Linear(hidden, 1))


def train_gan(data: np.ndarray, generator, discriminator, latent: int, steps: int = 2000,
              batch_size: int = 128, lr: float = 1e-3, saturating: bool = False,
              seed: int = 0) -> dict:
    """Alternate one discriminator step and one generator step ``steps`` times; returns the
    per-step losses {"d_loss": [...], "g_loss": [...]}."""
    manual_seed(seed)
    rng = np.random.default_rng(seed)
    d_opt = Adam(discriminator.parameters(), lr=lr, betas=(0.5, 0.999))
    g_opt = Adam(generator.parameters(), lr=lr, betas=(0.5, 0.999))
    history = {"d_loss": [], "g_loss": []}
    for _ in range(steps):
        real = tensor(data[rng.integers(0, len(data), batch_size)])
        with no_grad():
            fake = generator(randn(batch_size, latent))
        d_loss = F.gan_discriminator_loss(discriminator(real), discriminator(fake))
        d_opt.zero_grad()
        d_loss.backward()
        d_opt.step()
        g_loss = F.gan_generator_loss(discriminator(generator(randn(batch_size, latent))),
                                      saturating=saturating)
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
        history["d_loss"].append(d_loss.item())
        history["g_loss"].append(g_loss.item())
    return history


def sample(generator, latent: int, n: int) -> np.ndarray:
    generator.eval()
    with no_grad():
        out = generator(randn(n, latent)).numpy()
    generator.train()
    return out
