"""One TransformerEncoderLayer (d_model 128, 4 heads, PyTorch's defaults otherwise:
dim_feedforward 2048, dropout 0.1; sequence 64, batch 32): forward + backward in training
mode, minigrad vs PyTorch on the CPU, each framework in its own process
(``common.forward_backward_benchmark``), one thread, then all threads.  Target (issue 9):
within 1.5x.

    python benchmarks/bench_transformer.py [--quick] [--out DIR]
"""
from __future__ import annotations

import numpy as np

from common import forward_backward_benchmark, layer_step

SHAPE = {"batch": 32, "seq": 64, "d_model": 128, "heads": 4, "dim_feedforward": 2048}


def step_function(framework: str):
    """A zero-argument step: zero the gradients, run the layer, backpropagate sum(output)."""
    x = np.random.default_rng(0).standard_normal(
        (SHAPE["batch"], SHAPE["seq"], SHAPE["d_model"])).astype(np.float32)
    if framework == "torch":
        import torch
        return layer_step(torch.nn.TransformerEncoderLayer(128, 4, batch_first=True),
                          torch.tensor(x))
    import minigrad as mg
    return layer_step(mg.nn.TransformerEncoderLayer(128, 4, batch_first=True), mg.tensor(x))


if __name__ == "__main__":
    forward_backward_benchmark("transformer", __doc__.splitlines()[0], step_function,
                               {"shape": SHAPE, "target_ratio": 1.5})
