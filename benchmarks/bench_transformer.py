"""One TransformerEncoderLayer (d_model 128, 4 heads, PyTorch's defaults otherwise:
dim_feedforward 2048, dropout 0.1; sequence 64, batch 32): forward + backward, minigrad vs
PyTorch on the CPU in the same run, training mode.  Target (issue 9): within 1.5x.

    python benchmarks/bench_transformer.py [--quick] [--out DIR]
"""
from __future__ import annotations

import argparse

import numpy as np

import minigrad as mg
from common import compare, ratio, torch_or_none, write_result


def step(layer, x):
    def run():
        layer.zero_grad()
        layer(x).sum().backward()
    return run


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    x = np.random.default_rng(0).standard_normal((32, 64, 128)).astype(np.float32)
    options = dict(batch_first=True)
    ours = mg.nn.TransformerEncoderLayer(128, 4, **options)
    candidates = {"minigrad": step(ours, mg.tensor(x))}
    torch = torch_or_none()
    if torch is not None:
        theirs = torch.nn.TransformerEncoderLayer(128, 4, **options)
        candidates["torch"] = step(theirs, torch.tensor(x))
    stats = compare(candidates, *((1, 2) if args.quick else (5, 9)))
    result = {f"{k}_ms": v["median_s"] * 1e3 for k, v in stats.items()}
    if torch is not None:
        result["ratio_vs_torch"] = ratio(stats, "minigrad", "torch")
    result.update(shape={"batch": 32, "seq": 64, "d_model": 128, "heads": 4,
                         "dim_feedforward": 2048}, target_ratio=1.5, quick=args.quick)
    print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in result.items()})
    print(f"wrote {write_result('transformer', result, args.out)}")
    return result


if __name__ == "__main__":
    main()
