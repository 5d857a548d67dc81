"""One TransformerEncoderLayer (d_model 128, 4 heads, PyTorch's defaults otherwise:
dim_feedforward 2048, dropout 0.1; sequence 64, batch 32): forward + backward, minigrad vs
PyTorch on the CPU in the same run, training mode.  Target (issue 9): within 1.5x.

    python benchmarks/bench_transformer.py [--quick] [--out DIR]
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
from common import forward_backward_benchmark, layer_step

X = np.random.default_rng(0).standard_normal((32, 64, 128)).astype(np.float32)

if __name__ == "__main__":
    forward_backward_benchmark(
        "transformer", __doc__.splitlines()[0],
        lambda: layer_step(mg.nn.TransformerEncoderLayer(128, 4, batch_first=True), mg.tensor(X)),
        lambda torch: layer_step(torch.nn.TransformerEncoderLayer(128, 4, batch_first=True),
                                 torch.tensor(X)),
        {"shape": {"batch": 32, "seq": 64, "d_model": 128, "heads": 4, "dim_feedforward": 2048},
         "target_ratio": 1.5})
