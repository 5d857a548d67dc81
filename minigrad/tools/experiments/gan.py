"""Adversarial training (SPEC F17): a generator G maps noise z to samples, a discriminator D
scores samples with a logit (D = σ(logit) is its belief that a sample is real), and they are
trained in turns:

    D minimizes  -log D(x) - log(1 - D(G(z)))          (real → 1, fake → 0)
    G minimizes  -log D(G(z))                          (non-saturating, as the seeds print it)
            or    log(1 - D(G(z)))                     (the original minimax form)

Both losses are computed from logits (``F.gan_discriminator_loss``, ``F.gan_generator_loss``).
With the minimax form, G's gradient vanishes exactly when D confidently rejects its samples —
at the start of training — which is why the non-saturating form is used.

**WGAN-GP** (Gulrajani et al., 2017) replaces the classifier by a *critic* C (no sigmoid)
estimating the Wasserstein distance between the real and generated distributions:

    C minimizes  E[C(G(z))] - E[C(x)] + λ E[(‖∇ₓ̂ C(x̂)‖ - 1)²],   x̂ = εx + (1-ε)G(z), ε ~ U(0,1)
    G minimizes  -E[C(G(z))]

The gradient penalty keeps C 1-Lipschitz.  It contains a gradient, ∇ₓ̂ C, inside the loss, so
training C differentiates a gradient: ``autograd.grad(..., create_graph=True)``, then
``backward()`` through it (double backprop).  The critic takes ``critic_steps`` (5) steps per
generator step.
"""
from __future__ import annotations

import numpy as np

from ... import functional as F
from .. import interrupt
from ...autograd import grad, no_grad
from ...backend import manual_seed
from ...creation import randn, tensor
from ...nn import LeakyReLU, Linear, ReLU, Sequential, Tanh
from ...optim import Adam


def mixture_of_gaussians(n: int, modes: int = 8, radius: float = 2.0, std: float = 0.05,
                         seed: int = 0) -> np.ndarray:
    """(n, 2) float32 points from ``modes`` Gaussians evenly spaced on a circle."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * rng.integers(0, modes, n) / modes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return (centers + rng.normal(0, std, (n, 2))).astype(np.float32)


def mode_centers(modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """(modes, 2): the centres of the Gaussians, evenly spaced on a circle."""
    angles = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def distance_to_modes(samples: np.ndarray, modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """Each sample's distance to the nearest mode centre (a sample-quality measure: the mean
    is small only when samples sit on the modes)."""
    centers = mode_centers(modes, radius)
    return np.linalg.norm(samples[:, None, :] - centers[None], axis=2).min(axis=1)


def mode_coverage(samples: np.ndarray, modes: int = 8, radius: float = 2.0,
                  std: float = 0.05) -> tuple[int, float]:
    """(number of modes that received at least 1% of the samples within 3 std,
    share of samples that are within 3 std of some mode)."""
    centers = mode_centers(modes, radius)
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


GAN_LOSSES = {"non_saturating": "non-saturating −log D(G(z))",
              "minimax": "minimax log(1 − D(G(z)))",
              "wgan_gp": "WGAN-GP (critic, λ = 10)"}
"""The adversarial objectives ``train_gan`` knows, with how plots label them."""


def gradient_penalty(critic, real, fake, rng: np.random.Generator):
    """E[(‖∇ₓ̂ C(x̂)‖ - 1)²] at random points x̂ between real and fake samples.  The gradient
    is computed with create_graph=True, so the penalty itself can be backpropagated."""
    eps = tensor(rng.uniform(0, 1, (real.shape[0],) + (1,) * (real.ndim - 1)).astype(
        real.dtype))
    mixed = (eps * real + (1 - eps) * fake).detach().requires_grad_()
    (slope,) = grad(critic(mixed).sum(), mixed, create_graph=True)
    norm = ((slope * slope).reshape(len(slope), -1).sum(dim=1) + 1e-12).sqrt()
    return ((norm - 1) ** 2).mean()


def train_gan(data: np.ndarray, generator, discriminator, latent: int, steps: int = 2000,
              batch_size: int = 128, lr: float = 1e-3, loss: str = "non_saturating",
              seed: int = 0, critic_steps: int = 5, penalty: float = 10.0) -> dict:
    """Alternate discriminator (critic) steps and one generator step ``steps`` times, with
    ``loss`` one of ``GAN_LOSSES``; returns the per-step losses {"d_loss": [...],
    "g_loss": [...]}.  WGAN-GP takes ``critic_steps`` critic steps per generator step, with
    gradient penalty weight ``penalty`` and Adam's betas (0.5, 0.9) as in its paper."""
    if loss not in GAN_LOSSES:
        raise ValueError(f"train_gan: loss must be one of {sorted(GAN_LOSSES)}, got {loss!r}")
    manual_seed(seed)
    rng = np.random.default_rng(seed)
    wasserstein = loss == "wgan_gp"
    betas = (0.5, 0.9) if wasserstein else (0.5, 0.999)
    d_opt = Adam(discriminator.parameters(), lr=lr, betas=betas)
    g_opt = Adam(generator.parameters(), lr=lr, betas=betas)
    history = {"d_loss": [], "g_loss": []}
    with interrupt.graceful():
        for _ in range(steps):
            _gan_step(data, generator, discriminator, latent, batch_size, loss, rng, d_opt,
                      g_opt, critic_steps if wasserstein else 1, penalty, history)
            if interrupt.requested():  # Ctrl-C: stop after this whole step
                break
    return history


def _gan_step(data, generator, discriminator, latent, batch_size, loss, rng, d_opt, g_opt,
              critic_steps, penalty, history) -> None:
    """One discriminator (critic) update or ``critic_steps`` of them, then one generator
    update; the last losses appended to ``history``."""
    wasserstein = loss == "wgan_gp"
    for _ in range(critic_steps):
        real = tensor(data[rng.integers(0, len(data), batch_size)])
        with no_grad():
            fake = generator(randn(batch_size, latent))
        if wasserstein:
            d_loss = F.wgan_critic_loss(discriminator(real), discriminator(fake)) + \
                penalty * gradient_penalty(discriminator, real, fake, rng)
        else:
            d_loss = F.gan_discriminator_loss(discriminator(real), discriminator(fake))
        d_opt.zero_grad()
        d_loss.backward()
        d_opt.step()
    scores = discriminator(generator(randn(batch_size, latent)))
    g_loss = F.wgan_generator_loss(scores) if wasserstein else \
        F.gan_generator_loss(scores, saturating=loss == "minimax")
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
    history["d_loss"].append(d_loss.item())
    history["g_loss"].append(g_loss.item())


def sample(generator, latent: int, n: int) -> np.ndarray:
    generator.eval()
    with no_grad():
        out = generator(randn(n, latent)).numpy()
    generator.train()
    return out
