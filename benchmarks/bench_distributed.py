"""Data parallelism (issue 20): all-reduce bus bandwidth for 1 KB-64 MB messages on 2
processes, and P2 and P5 epoch times on 1 vs 2 processes (one BLAS thread each).

    python benchmarks/bench_distributed.py [--quick] [--out DIR] [--backend mpi|nccl]

The script launches itself under ``mpiexec`` (needs the ``dist`` extra).  Bus bandwidth is
NCCL's measure, 2(n-1)/n · bytes / time: what each link carries in a ring all-reduce, so it
is comparable across process counts; minigrad's ``all_reduce`` (non-blocking MPI plus a
polled wait) is timed next to mpi4py's blocking ``Allreduce`` in the same rounds.  Epoch
times: the 1-process and 2-process jobs alternate, round after round; scaling efficiency =
t(1 process) / (2 · t(2 processes)), the median over rounds.  On 2 shared cores the two
processes also share memory bandwidth, so this measures this machine, not the method.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from minigrad.distributed import find_mpiexec

HERE = Path(__file__).resolve().parent
ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                     "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")}
SIZES = [2 ** k for k in range(10, 27, 2)]  # 1 KB ... 64 MB


def launch(n: int, *args: str, env=None) -> dict:
    """Run this script as ``--worker`` under mpiexec -n n; returns rank 0's JSON line."""
    command = [find_mpiexec(), "-n", str(n), sys.executable, str(Path(__file__)), "--worker", *args]
    result = subprocess.run(command, capture_output=True, text=True, check=True,
                            env=dict(os.environ, **(env or {})))
    return json.loads(result.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- workers


def bandwidth_worker(quick: bool, backend: str) -> dict:
    import minigrad.distributed as dist
    from mpi4py import MPI
    dist.init_process_group(backend)
    n, xp = dist.get_world_size(), (np if backend == "mpi" else dist._backend().xp)
    rows = {}
    for size in SIZES[:6] if quick else SIZES:
        array = xp.ones(size // 4, np.float32)
        repeats = max(3, min(200, 2 ** 24 // size)) // (4 if quick else 1) + 1
        timings = {"minigrad": [], "mpi4py": []}
        for _ in range(3):  # rounds, the two interleaved
            for name in timings:
                dist.barrier()
                start = time.perf_counter()
                for _ in range(repeats):
                    if name == "minigrad":
                        dist.all_reduce(array)
                    else:
                        MPI.COMM_WORLD.Allreduce(MPI.IN_PLACE, array)
                if backend == "nccl":
                    xp.cuda.get_current_stream().synchronize()
                timings[name].append((time.perf_counter() - start) / repeats)
            if backend == "nccl":
                break  # mpi4py's Allreduce cannot take GPU arrays here
        rows[size] = {name: {"time_s": statistics.median(t),
                             "bus_gb_s": 2 * (n - 1) / n * size / statistics.median(t) / 1e9}
                      for name, t in timings.items() if t}
    dist.destroy_process_group()
    return {"processes": n, "backend": backend, "rows": rows}


def epoch_worker(recipe_key: str, samples: int) -> dict:
    """One epoch of the recipe (its batch size, Adam) on ``samples`` training images, on
    every process of the job; returns the wall time measured on rank 0."""
    import minigrad.distributed as dist
    from minigrad.experiments import recipes
    from minigrad.nn import CrossEntropyLoss
    from minigrad.optim import Adam
    from minigrad.train import fit
    dist.init_process_group("mpi")
    recipe = recipes.RECIPES[recipe_key]
    data = recipes.image_data("fashion-mnist", False) if recipe.kind == "cnn" else \
        recipes.classification_data("fashion-mnist")
    x, y = data[0][:samples], data[1][:samples]
    recipes.manual_seed(0)
    model = recipes.build_classifier(recipe, x[0].size, 10)
    optimizer = Adam(model.parameters(), lr=recipe.lr)
    fit(model, x[:recipe.batch_size * 2], y[:recipe.batch_size * 2], loss=CrossEntropyLoss(),
        optimizer=optimizer, batch_size=recipe.batch_size, verbose=0, distributed=True)  # warm
    dist.barrier()
    start = time.perf_counter()
    fit(model, x, y, loss=CrossEntropyLoss(), optimizer=optimizer, epochs=1,
        batch_size=recipe.batch_size, verbose=0, distributed=True)
    dist.barrier()
    seconds = time.perf_counter() - start
    dist.destroy_process_group()
    return {"epoch_s": seconds}


# ----------------------------------------------------------------------------- the driver


def scaling(recipe_key: str, samples: int, rounds: int) -> dict:
    times = {1: [], 2: []}
    for _ in range(rounds):
        for n in (1, 2):
            times[n].append(launch(n, "epoch", recipe_key, str(samples),
                                   env=ONE_THREAD)["epoch_s"])
    efficiency = [a / (2 * b) for a, b in zip(times[1], times[2])]
    return {"samples": samples, "epoch_s_1": statistics.median(times[1]),
            "epoch_s_2": statistics.median(times[2]),
            "efficiency": statistics.median(efficiency), "rounds": rounds}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None)
    parser.add_argument("--backend", default="mpi", choices=["mpi", "nccl"])
    parser.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:  # inside mpiexec
        kind, *rest = args.worker
        result = bandwidth_worker(args.quick, args.backend) if kind == "bandwidth" else \
            epoch_worker(rest[0], int(rest[1]))
        from mpi4py import MPI
        if MPI.COMM_WORLD.Get_rank() == 0:
            print(json.dumps(result), flush=True)
        return result
    sys.path.insert(0, str(HERE))
    from common import write_result
    if find_mpiexec() is None or not __import__("importlib").util.find_spec("mpi4py"):
        print("mpi4py and mpiexec are not installed (pip install -e '.[dist]'): skipped")
        return {}
    payload = {"quick": args.quick, "bandwidth": launch(
        2, "bandwidth", *(["--quick"] if args.quick else []), "--backend", args.backend)}
    for size, row in payload["bandwidth"]["rows"].items():
        print(f"all_reduce {int(size) / 1024:>8.0f} KiB: " + ", ".join(
            f"{name} {r['bus_gb_s']:.2f} GB/s ({r['time_s'] * 1e6:.0f} µs)"
            for name, r in row.items()), flush=True)
    from minigrad.data.mnist_sets import DatasetNotFound, fashion_mnist
    try:
        fashion_mnist(train=False, download=False)
        sizes = {"p2": 4000} if args.quick else {"p2": 48000, "p5": 12000}
        for key, samples in sizes.items():
            payload[key] = scaling(key, samples, 1 if args.quick else 3)
            r = payload[key]
            print(f"{key}: one epoch on {samples} images, 1 process {r['epoch_s_1']:.2f} s, "
                  f"2 processes {r['epoch_s_2']:.2f} s: efficiency {r['efficiency']:.2f}",
                  flush=True)
    except DatasetNotFound:
        print("Fashion-MNIST is not installed: the epoch scaling part is skipped")
    print(f"wrote {write_result('distributed', payload, args.out)}")
    return payload


if __name__ == "__main__":
    main()
