"""LSTM(64 → 128), sequence 100, batch 32: one forward + backward, minigrad vs PyTorch's
``nn.LSTM`` on the CPU in the same run.  Target (issue 6): within 2x.

    python benchmarks/bench_lstm.py [--quick] [--out DIR]
"""
from __future__ import annotations

import argparse

import numpy as np

import minigrad as mg
from common import compare, ratio, torch_or_none, write_result


def step(lstm, x, zero_grad):
    def run():
        zero_grad()
        output, _ = lstm(x)
        output.sum().backward()
    return run


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    x = np.random.default_rng(0).standard_normal((100, 32, 64)).astype(np.float32)
    ours = mg.nn.LSTM(64, 128)
    candidates = {"minigrad": step(ours, mg.tensor(x), ours.zero_grad)}
    torch = torch_or_none()
    if torch is not None:
        theirs = torch.nn.LSTM(64, 128)
        candidates["torch"] = step(theirs, torch.tensor(x), theirs.zero_grad)
    stats = compare(candidates, *((1, 2) if args.quick else (5, 9)))
    result = {f"{k}_ms": v["median_s"] * 1e3 for k, v in stats.items()}
    if torch is not None:
        result["ratio_vs_torch"] = ratio(stats, "minigrad", "torch")
    result.update(shape={"seq": 100, "batch": 32, "input": 64, "hidden": 128}, target_ratio=2.0,
                  quick=args.quick)
    print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in result.items()})
    print(f"wrote {write_result('lstm', result, args.out)}")
    return result


if __name__ == "__main__":
    main()
