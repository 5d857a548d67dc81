"""LSTM(64 → 128), sequence 100, batch 32: one forward + backward, minigrad vs PyTorch's
``nn.LSTM`` on the CPU in the same run.  Target (issue 6): within 2x.

    python benchmarks/bench_lstm.py [--quick] [--out DIR]
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
from common import forward_backward_benchmark, layer_step

X = np.random.default_rng(0).standard_normal((100, 32, 64)).astype(np.float32)


def first(result):
    return result[0]  # the LSTM's output sequence


if __name__ == "__main__":
    forward_backward_benchmark(
        "lstm", __doc__.splitlines()[0],
        lambda: layer_step(mg.nn.LSTM(64, 128), mg.tensor(X), first),
        lambda torch: layer_step(torch.nn.LSTM(64, 128), torch.tensor(X), first),
        {"shape": {"seq": 100, "batch": 32, "input": 64, "hidden": 128}, "target_ratio": 2.0})
