"""LSTM(64 → 128), sequence 100, batch 32: one forward + backward, minigrad vs PyTorch's
``nn.LSTM`` on the CPU, each framework in its own process (``common.forward_backward_benchmark``),
one thread, then all threads.  Target (issue 15): ≤ 1.0× PyTorch.

    python benchmarks/bench_lstm.py [--quick] [--out DIR]
"""
from __future__ import annotations

import numpy as np

from common import forward_backward_benchmark, layer_step

SHAPE = {"seq": 100, "batch": 32, "input": 64, "hidden": 128}


def step_function(framework: str):
    """A zero-argument step: zero the gradients, run the layer, backpropagate sum(output)."""
    x = np.random.default_rng(0).standard_normal(
        (SHAPE["seq"], SHAPE["batch"], SHAPE["input"])).astype(np.float32)
    if framework == "torch":
        import torch
        return layer_step(torch.nn.LSTM(SHAPE["input"], SHAPE["hidden"]), torch.tensor(x),
                          lambda y: y[0])
    import minigrad as mg
    return layer_step(mg.nn.LSTM(SHAPE["input"], SHAPE["hidden"]), mg.tensor(x),
                      lambda y: y[0])


if __name__ == "__main__":
    forward_backward_benchmark("lstm", __doc__.splitlines()[0], step_function,
                               {"shape": SHAPE, "target_ratio": 1.0})
