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


ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                      "MKL_NUM_THREADS")}
"""The environment of a one-thread process (PyTorch's worker reads OMP_NUM_THREADS)."""

THREADINGS = (("one_thread", ONE_THREAD), ("all_threads", {}))


def threadings(quick: bool) -> tuple:
    """The thread settings a script measures: both, or all threads only in a quick run (whose
    candidates share this process, where the environment cannot limit a library's threads)."""
    return THREADINGS[1:] if quick else THREADINGS


def add_worker_options(parser) -> None:
    """The hidden options a script's own worker processes are started with."""
    import argparse
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--number", type=int, default=5, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=7, help=argparse.SUPPRESS)


def run_worker(run, number: int, repeats: int) -> None:
    """In a worker process: warm up, then print the seconds per call of ``repeats`` blocks of
    ``number`` calls of ``run`` as one JSON line."""
    if os.environ.get("OMP_NUM_THREADS") == "1" and "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    for _ in range(5):
        run()
    print(json.dumps([time_per_call(run, number) for _ in range(repeats)]))


def compare_in_processes(names: list, env: dict, count: int, number: int,
                         repeats: int, build=None) -> dict:
    """Time each candidate in its own fresh process (this script run with ``--worker NAME``),
    the candidates alternating, ``count`` rounds.  Sharing one process would not be fair:
    PyTorch's OpenMP workers and NumPy's OpenBLAS threads spin while the other library runs,
    and on 2 cores that slowed PyTorch's LSTM step from 8 to 19 ms (minigrad looked 0.85×
    PyTorch when it was 1.8×) and PyTorch's ``autograd.functional.hvp`` from 2.0 to 7.7 ms.
    Returns ``compare``'s statistics: {name: {"median_s", "q1_s", "q3_s", "samples_s"}},
    one sample (a process's median) per round, so ``ratio`` pairs the rounds.

    ``build`` (a quick run, ``--quick``): the function a worker builds its candidate with;
    the candidates are then built and timed here, interleaved (``compare``).  That takes
    seconds instead of a process start and imports per candidate and round, but it is the
    unfair setting described above: a quick run checks that a benchmark works, and its
    ratios are not the ones to quote."""
    if build is not None:
        return compare({name: build(name) for name in names}, number, repeats)
    import subprocess
    from minigrad import interrupt
    samples = {name: [] for name in names}
    for _ in range(count):
        for name in names:
            done = subprocess.run([sys.executable, sys.argv[0], "--worker", name, "--number",
                                   str(number), "--repeats", str(repeats)],
                                  env={**os.environ, **env}, capture_output=True, text=True,
                                  check=True)
            samples[name].append(statistics.median(
                json.loads(done.stdout.strip().splitlines()[-1])))
        if interrupt.requested():  # Ctrl-C: keep the whole rounds done so far, start no more
            break
    return {name: summarize(values) for name, values in samples.items()}


def timings_in_processes(frameworks: list, references: dict, env: dict, count: int,
                         number: int, repeats: int, workload: str | None = None,
                         unit: float = 1e3, suffix: str = "ms", build=None) -> dict:
    """Each framework's step in its own processes (``compare_in_processes``; a worker is named
    ``<workload>:<framework>``, or just the framework; ``build``: a quick run's, in this
    process): {"<framework>_<suffix>": its median time in ``unit`` per second,
    "ratio_vs_<label>": minigrad ÷ ``reference`` within rounds} for each label: reference of
    ``references`` that took part."""
    names = {f: f"{workload}:{f}" if workload else f for f in frameworks}
    stats = compare_in_processes(list(names.values()), env, count, number, repeats, build)
    result = {f"{f}_{suffix}": stats[name]["median_s"] * unit for f, name in names.items()}
    for label, reference in references.items():
        if reference in names:
            result[f"ratio_vs_{label}"] = ratio(stats, names["minigrad"], names[reference])
    return result


def forward_backward_benchmark(name: str, description: str, step_function, extra: dict,
                               argv=None) -> dict:
    """The driver of a layer micro-benchmark, minigrad vs PyTorch, each in its own process
    (``compare_in_processes``), one thread each, then all threads.  The ratio is the median
    over rounds of minigrad ÷ PyTorch within a round.  ``step_function(framework)``
    ("minigrad" or "torch") builds the layer and its input in the worker process and returns
    a zero-argument step."""
    import argparse
    import importlib.util
    from minigrad import interrupt
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None)
    add_worker_options(parser)
    args = parser.parse_args(argv)
    if args.worker:
        return run_worker(step_function(args.worker), args.number, args.repeats)
    if importlib.util.find_spec("torch") is None:
        print("PyTorch is not installed: nothing to compare with (pip install 'minigrad[ref]')")
        return {}
    count, number, repeats = (1, 1, 2) if args.quick else (5, 5, 7)
    result = {}
    for label, env in interrupt.phases(threadings(args.quick), first_always=True):
        r = result[label] = timings_in_processes(["minigrad", "torch"], {"torch": "torch"}, env,
                                                 count, number, repeats,
                                                 build=step_function if args.quick else None)
        print(f"{label:<12} minigrad {r['minigrad_ms']:.2f} ms   PyTorch {r['torch_ms']:.2f} ms"
              f"   ratio {r['ratio_vs_torch']['median']:.2f}")
    result.update(extra, quick=args.quick)
    print(f"wrote {write_result(name, result, args.out)}")
    return result


def layer_step(layer, x, output=lambda y: y):
    """A step function: zero the layer's gradients, run it on x, backpropagate sum(output)."""
    def run():
        layer.zero_grad()
        output(layer(x)).sum().backward()
    return run
