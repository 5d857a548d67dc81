"""``minigrad demo``'s network: a 2-16-16-2 MLP on two moons written with raw Tensors (no
``nn``): the F1 layers, cross-entropy, backward and the plain update θ ← θ − α∇θ (F11)."""
from __future__ import annotations

from ... import functional as F
from .. import interrupt
from ...autograd import no_grad
from ...backend import manual_seed
from ...creation import randn, tensor, zeros
from ...data import moons


def train_tiny_network(epochs: int = 300, lr: float = 0.5, seed: int = 0, progress: bool = True):
    """A 2-16-16-2 MLP on two moons, written with raw Tensors: F1 layers, cross-entropy,
    backward, and the plain gradient-descent update θ ← θ - α ∇θ (F11).  Returns the losses
    per epoch and the final training accuracy."""
    from tqdm import tqdm

    manual_seed(seed)
    x, y = moons(400, noise=0.1, seed=seed)
    x, y = tensor(x), tensor(y)
    sizes = [2, 16, 16, 2]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params += [(randn(fan_in, fan_out) * (2 / fan_in) ** 0.5).requires_grad_(),
                   zeros(fan_out, requires_grad=True)]

    def forward(inputs):
        w1, b1, w2, b2, w3, b3 = params
        h = F.relu(inputs @ w1 + b1)
        h = F.relu(h @ w2 + b2)
        return h @ w3 + b3

    losses = []
    bar = tqdm(range(epochs), desc="training", disable=not progress, leave=False)
    for _ in bar:
        if interrupt.requested():
            break
        loss = F.cross_entropy(forward(x), y)
        for p in params:
            p.grad = None
        loss.backward()
        with no_grad():
            for p in params:
                p.array -= lr * p.grad.array
        losses.append(loss.item())
        bar.set_postfix(loss=f"{losses[-1]:.4f}")
    with no_grad():
        accuracy = float((forward(x).argmax(dim=1) == y).array.mean())
    return losses, accuracy
