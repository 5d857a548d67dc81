"""LSTM(64 → 128), sequence 100, batch 32: one forward + backward, minigrad vs PyTorch's
``nn.LSTM`` on the CPU.  Target (issue 15): ≤ 1.0× PyTorch.

Each framework runs in its own process, the two alternating round by round, first with one
thread each, then with all threads.  Sharing one process would not be fair: PyTorch's OpenMP
workers and NumPy's OpenBLAS threads spin while the other library runs, and on 2 cores that
slowed PyTorch's step from 8 to 19 ms (it made minigrad look 0.85× PyTorch when it is 1.8×).
The ratio is the median over rounds of minigrad ÷ PyTorch within a round.

    python benchmarks/bench_lstm.py [--quick] [--out DIR]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys

import numpy as np

from common import summarize, write_result

SHAPE = {"seq": 100, "batch": 32, "input": 64, "hidden": 128}
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                      "MKL_NUM_THREADS")}


def sequence() -> np.ndarray:
    return np.random.default_rng(0).standard_normal(
        (SHAPE["seq"], SHAPE["batch"], SHAPE["input"])).astype(np.float32)


def step_function(framework: str):
    """A zero-argument step: zero the gradients, run the layer, backpropagate sum(output)."""
    if framework == "torch":
        import torch
        if os.environ.get("OMP_NUM_THREADS") == "1":
            torch.set_num_threads(1)
        layer, x = torch.nn.LSTM(SHAPE["input"], SHAPE["hidden"]), torch.tensor(sequence())
    else:
        import minigrad as mg
        from minigrad import host_memory
        host_memory.apply_default_policy()  # as in training (minigrad.host_memory)
        layer, x = mg.nn.LSTM(SHAPE["input"], SHAPE["hidden"]), mg.tensor(sequence())

    def run():
        layer.zero_grad()
        layer(x)[0].sum().backward()
    return run


def worker(framework: str, number: int, repeats: int) -> None:
    """Child process: print the seconds per step of ``repeats`` blocks of ``number`` steps."""
    import time
    run = step_function(framework)
    for _ in range(5):
        run()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            run()
        samples.append((time.perf_counter() - start) / number)
    print(json.dumps(samples))


def timed_in_process(framework: str, env: dict, number: int, repeats: int) -> float:
    """Median seconds per step of ``framework`` timed in a fresh process with ``env``."""
    done = subprocess.run([sys.executable, __file__, "--worker", framework, "--number",
                           str(number), "--repeats", str(repeats)], env={**os.environ, **env},
                          capture_output=True, text=True, check=True)
    return statistics.median(json.loads(done.stdout.strip().splitlines()[-1]))


def rounds(env: dict, count: int, number: int, repeats: int) -> dict:
    samples = {"minigrad": [], "torch": []}
    for _ in range(count):
        for framework in samples:
            samples[framework].append(timed_in_process(framework, env, number, repeats))
    pairs = [a / b for a, b in zip(samples["minigrad"], samples["torch"])]
    ratio = summarize(pairs)
    return {"minigrad_ms": statistics.median(samples["minigrad"]) * 1e3,
            "torch_ms": statistics.median(samples["torch"]) * 1e3,
            "ratio_vs_torch": {"median": ratio["median_s"], "q1": ratio["q1_s"],
                               "q3": ratio["q3_s"]}}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None)
    parser.add_argument("--worker", choices=["minigrad", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--number", type=int, default=5, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=7, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.number, args.repeats)
    if importlib.util.find_spec("torch") is None:
        print("PyTorch is not installed: nothing to compare with")
        return {}
    count, number, repeats = (1, 1, 2) if args.quick else (5, 5, 7)
    result = {"one_thread": rounds(ONE_THREAD, count, number, repeats),
              "all_threads": rounds({}, count, number, repeats)}
    result.update(result["one_thread"], shape=SHAPE, target_ratio=1.0, quick=args.quick)
    for name in ("one_thread", "all_threads"):
        r = result[name]
        print(f"{name:<12} minigrad {r['minigrad_ms']:.2f} ms   PyTorch {r['torch_ms']:.2f} ms"
              f"   ratio {r['ratio_vs_torch']['median']:.2f}")
    print(f"wrote {write_result('lstm', result, args.out)}")
    return result


if __name__ == "__main__":
    main()
