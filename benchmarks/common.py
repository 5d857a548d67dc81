"""Shared timing helpers for the benchmark scripts: honest medians, same-run ratios, JSON out.

Rules every script follows: warm up first, time many repeats, report the median and the spread
(interquartile range), and compare against the reference measured in the same run, interleaved,
so that a busy machine slows both sides alike.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _as_a_training_process() -> None:
    """A benchmark script run as a program is a long training job: it keeps freed memory
    (``minigrad.host_memory``) and follows the one Ctrl-C rule (``minigrad.interrupt``): the
    first Ctrl-C ends the timing rounds after the one running, the results so far are written
    (marked ``"interrupted"``) and the script exits 130; a second one stops at once."""
    from minigrad import host_memory, interrupt
    host_memory.apply_default_policy()
    guard = interrupt.graceful()
    guard.__enter__()  # for the whole process: never left
    return guard


if Path(sys.argv[0]).name.startswith("bench_"):
    _PROCESS_GUARD = _as_a_training_process()  # kept: dropping it would end the guard


def time_per_call(fn, number: int) -> float:
    """Seconds per call of ``fn``, averaged over ``number`` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


SETTLE_S = 0.05
"""Pause before each timed block.  PyTorch's OpenMP workers and OpenBLAS's threads spin for a
while after their last task; on 2 cores whichever library runs next loses a core to them (we
measured +200 µs on a 0.45 ms step).  A short sleep lets them park, so no candidate pays for
the one timed before it."""


def compare(candidates: dict, number: int, repeats: int, warmup: int = 3) -> dict:
    """Time each callable ``repeats`` times (``number`` calls each), interleaving candidates
    within every repeat.  Returns {name: {"median_s", "q1_s", "q3_s", "samples_s"}}."""
    for fn in candidates.values():
        for _ in range(warmup):
            fn()
    from minigrad import interrupt
    samples = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            time.sleep(SETTLE_S)
            samples[name].append(time_per_call(fn, number))
        if interrupt.requested():  # Ctrl-C: keep the whole rounds done so far
            break
    return {name: summarize(values) for name, values in samples.items()}


def summarize(values: list) -> dict:
    quartiles = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return {"median_s": statistics.median(values), "q1_s": quartiles[0], "q3_s": quartiles[2],
            "samples_s": values}


def ratio(stats: dict, numerator: str, denominator: str) -> dict:
    """Median and quartiles of the per-repeat ratios numerator/denominator.  The two were timed
    back to back in each repeat, so each ratio compares them under the same machine load."""
    pairs = [a / b for a, b in zip(stats[numerator]["samples_s"],
                                   stats[denominator]["samples_s"])]
    summary = summarize(pairs)
    return {"median": summary["median_s"], "q1": summary["q1_s"], "q3": summary["q3_s"]}


def environment() -> dict:
    """The machine and library versions a result was measured with."""
    import numpy
    info = {"python": platform.python_version(), "numpy": numpy.__version__,
            "machine": platform.machine(), "processor": platform.processor() or None,
            "cpus": os.cpu_count(), "platform": platform.platform()}
    try:
        import torch
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        info["torch"] = None
    import minigrad
    info["minigrad"] = minigrad.__version__
    return info


def write_result(name: str, payload: dict, out_dir: Path | None = None) -> Path:
    """Write ``payload`` plus the environment to ``<out_dir>/<name>.json``."""
    out_dir = Path(out_dir) if out_dir else RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    from minigrad import interrupt
    payload = {"benchmark": name, "command": " ".join([Path(sys.executable).name] + sys.argv),
               "environment": environment(), **payload}
    if interrupt.requested():
        payload["interrupted"] = True
    path.write_text(json.dumps(payload, indent=2) + "\n")
    if interrupt.requested():
        print(f"interrupted (Ctrl-C): wrote the rounds measured so far to {path}", flush=True)
        sys.exit(interrupt.EXIT_CODE)
    return path


def torch_or_none():
    """PyTorch if installed, else None (and a line saying what is skipped)."""
    try:
        import torch
        return torch
    except ImportError:
        print("PyTorch is not installed: its columns are skipped (pip install 'minigrad[ref]')")
        return None


def forward_backward_benchmark(name: str, description: str, build_minigrad, build_torch,
                               extra: dict, argv=None) -> dict:
    """The driver of a layer micro-benchmark: parse --quick/--out, time one forward + backward
    of the minigrad and the PyTorch version in the same run, print and write ``<name>.json``.
    ``build_*`` return a zero-argument step function (``build_torch`` gets the torch module)."""
    import argparse
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    candidates = {"minigrad": build_minigrad()}
    torch = torch_or_none()
    if torch is not None:
        candidates["torch"] = build_torch(torch)
    stats = compare(candidates, *((1, 2) if args.quick else (5, 9)))
    result = {f"{k}_ms": v["median_s"] * 1e3 for k, v in stats.items()}
    if torch is not None:
        result["ratio_vs_torch"] = ratio(stats, "minigrad", "torch")
    result.update(extra, quick=args.quick)
    print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in result.items()})
    print(f"wrote {write_result(name, result, args.out)}")
    return result


def layer_step(layer, x, output=lambda y: y):
    """A step function: zero the layer's gradients, run it on x, backpropagate sum(output)."""
    def run():
        layer.zero_grad()
        output(layer(x)).sum().backward()
    return run
