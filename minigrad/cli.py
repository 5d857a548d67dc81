"""The ``minigrad`` command.

    minigrad demo          train a tiny network from raw Tensors, then print a gradient check
    minigrad gradcheck     the gradient check table of every op
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from . import functional as F
from .autograd import no_grad
from .backend import manual_seed
from .creation import randn, tensor, zeros
from .data import moons
from .opcheck import format_table, gradcheck_table


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
        loss = F.cross_entropy(forward(x), y)
        for p in params:
            p.grad = None
        loss.backward()
        with no_grad():
            for p in params:
                p.data -= lr * p.grad.data
        losses.append(loss.item())
        bar.set_postfix(loss=f"{losses[-1]:.4f}")
    with no_grad():
        accuracy = float((forward(x).argmax(dim=1) == y).data.mean())
    return losses, accuracy


def demo(args) -> int:
    print("minigrad demo: a 2-16-16-2 MLP on two moons (400 points), raw Tensors, plain "
          "gradient descent")
    losses, accuracy = train_tiny_network(args.epochs, progress=sys.stderr.isatty())
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f} after {len(losses)} epochs; "
          f"training accuracy {accuracy:.3f}\n")
    return gradcheck(args)


def gradcheck(args) -> int:
    print("Gradient check: backward vs float64 central differences, every op")
    rows = gradcheck_table()
    print(format_table(rows))
    failed = [r["op"] for r in rows if not r["ok"]]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} ops pass"
          + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="minigrad", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    demo_parser = commands.add_parser("demo", help="train a tiny network, then gradcheck")
    demo_parser.add_argument("--epochs", type=int, default=300)
    commands.add_parser("gradcheck", help="gradient check table of every op")
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["demo"] + list(argv or []))
    return {"demo": demo, "gradcheck": gradcheck}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
