"""This checkout against another, on the models the seeds train: a refactoring must not cost
speed.  P2's training step (784-128-64-10 MLP, Adam, batch 128), P4's (SimpleCNN, batch 64),
P5's (the Keras CNN, batch 64) and an LSTM's forward+backward (64 → 128, 20 steps, batch 32),
each built as the recipes build it.

Each checkout runs in its own processes, which import its ``minigrad`` and its kernels
(``minigrad_kernels``, from its ``kernels/``) and nothing of the other; the two alternate,
round after round, and each round's ratio (this ÷ before) compares two processes that ran
back to back.  Reported: the median of those paired ratios and their quartiles, at one
thread and at all threads.

    python benchmarks/bench_checkouts.py --before DIR [--rounds 5] [--workloads p2 lstm]
                                         [--out DIR]

``DIR``: a checkout of the commit to compare with (``git worktree add /tmp/before <rev>``).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from common import THREADINGS, add_worker_options, run_worker, summarize, write_result

HERE = Path(__file__).resolve().parent
WORKLOADS = ("p2", "p4", "p5", "lstm")


def build(workload: str):
    """The step of ``workload`` with the minigrad this process imported."""
    import minigrad as mg
    from minigrad.experiments.recipes import SimpleCNN, mlp, p5_cnn
    rng = np.random.default_rng(0)
    mg.manual_seed(0)
    if workload == "lstm":
        lstm, x = mg.nn.LSTM(64, 128), mg.tensor(rng.standard_normal((20, 32, 64), np.float32))

        def step():
            lstm.zero_grad()
            (lstm(x)[0] ** 2).mean().backward()
        return step
    model, shape, batch = {"p2": (mlp(784, (128, 64), 10), (784,), 128),
                           "p4": (SimpleCNN(), (1, 28, 28), 64),
                           "p5": (p5_cnn(), (1, 28, 28), 64)}[workload]
    x = mg.tensor(rng.random((batch, *shape), np.float32))
    y = mg.tensor(rng.integers(0, 10, batch))
    optimizer, loss_fn = mg.optim.Adam(model.parameters(), lr=1e-3), mg.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    return step


def importable(checkout: Path, folder: Path) -> Path:
    """A folder holding only ``checkout``'s two packages, for PYTHONPATH."""
    folder.mkdir()
    (folder / "minigrad").symlink_to(checkout / "minigrad")
    (folder / "minigrad_kernels").symlink_to(checkout / "kernels")
    return folder


def sample(path: Path, workload: str, env: dict, number: int, repeats: int) -> float:
    """One worker process of the checkout on ``path``: the median seconds per step."""
    done = subprocess.run([sys.executable, str(HERE / "bench_checkouts.py"), "--worker",
                           workload, "--number", str(number), "--repeats", str(repeats)],
                          env={**os.environ, **env, "PYTHONPATH": str(path)},
                          cwd=tempfile.gettempdir(), capture_output=True, text=True, check=True)
    return statistics.median(json.loads(done.stdout.strip().splitlines()[-1]))


def measure(paths: dict, workloads, rounds: int, number: int, repeats: int) -> dict:
    results = {}
    for label, env in THREADINGS:
        results[label] = {}
        for workload in workloads:
            times = {name: [] for name in paths}
            for _ in range(rounds):
                for name, path in paths.items():
                    times[name].append(sample(path, workload, env, number, repeats))
            ratios = summarize([a / b for a, b in zip(times["this"], times["before"])])
            results[label][workload] = {
                "this_ms": statistics.median(times["this"]) * 1e3,
                "before_ms": statistics.median(times["before"]) * 1e3,
                "ratio": {"median": ratios["median_s"], "q1": ratios["q1_s"],
                          "q3": ratios["q3_s"]}}
            r = results[label][workload]
            print(f"{label:<12} {workload:<5} this {r['this_ms']:8.2f} ms  before "
                  f"{r['before_ms']:8.2f} ms  this ÷ before {r['ratio']['median']:.3f} "
                  f"[{r['ratio']['q1']:.3f}, {r['ratio']['q3']:.3f}]", flush=True)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="a checkout of the commit to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument("--out", default=None)
    add_worker_options(parser)
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(build(args.worker), args.number, args.repeats)
        return 0
    if not args.before:
        parser.error("--before DIR is required (a checkout of the commit to compare with)")
    with tempfile.TemporaryDirectory() as tmp:
        paths = {"this": importable(HERE.parent, Path(tmp) / "this"),
                 "before": importable(Path(args.before).resolve(), Path(tmp) / "before")}
        results = measure(paths, args.workloads, args.rounds, args.number, args.repeats)
    write_result("checkouts", {"before": str(args.before), "workloads": results},
                 Path(args.out) if args.out else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
