"""The GPU suite: Numba kernels against cuBLAS/CuPy, launch overhead, and P2's step on the GPU.

Needs an NVIDIA GPU with CuPy and numba-cuda (pip install -e ".[gpu,ref]"); anywhere else it
prints one line saying so and exits cleanly.  What it measures, each in one run:

(a) matmul TFLOPS of every kernel in minigrad_kernels.matmul and of cuBLAS (cupy.matmul, FP32
    — Numba has no tensor-core API, so FP32 SIMT against FP32 cuBLAS is the fair comparison)
    at sizes 512…8192.  Target: the best kernel ≥ 60% of cuBLAS at 4096.
(b) elementwise bandwidth: the relu forward kernel on 2²⁶ floats, in GB/s (bytes read +
    written), against the device's copy bandwidth (a CuPy copy).  Target ≥ 80%.
(c) launch overhead: µs per call from Python for a one-element kernel through minigrad's launch
    layer (PTX through CuPy), through Numba's own dispatch, and for a CuPy elementwise kernel.
    Target ≤ 20 µs.
(d) SPEC P2's training step (784-128-64-10 MLP, batch 128, Adam) on the GPU: minigrad vs
    PyTorch CUDA eager.  Target ≤ 1.0×.

GPU work is asynchronous, so every timing brackets the calls with CUDA events (or synchronizes
before reading the clock).  Writes results/kernels.json and results/kernels_matmul.png.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from common import RESULTS, torch_or_none, write_result

SIZES = (512, 1024, 2048, 4096, 8192)
QUICK_SIZES = (512, 1024)


def gpu_available() -> bool:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from minigrad.cuda import is_available
    return is_available()


def gpu_seconds(fn, repeats: int, warmup: int = 2) -> float:
    """Median seconds of ``fn`` on the GPU, between CUDA events (not Python's clock)."""
    import cupy
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start, stop = cupy.cuda.Event(), cupy.cuda.Event()
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(cupy.cuda.get_elapsed_time(start, stop) / 1e3)
    return statistics.median(times)


def wall_seconds_per_call(fn, number: int) -> float:
    """Seconds per call from Python, the GPU drained before and after (launch overhead)."""
    import cupy
    fn()
    cupy.cuda.Device().synchronize()
    start = time.perf_counter()
    for _ in range(number):
        fn()
    cupy.cuda.Device().synchronize()
    return (time.perf_counter() - start) / number


# ----------------------------------------------------------------------------- (a) matmul
def bench_matmul(sizes, repeats: int) -> dict:
    import cupy
    from minigrad_kernels import matmul
    rows = {}
    for n in sizes:
        a = cupy.random.standard_normal((n, n), dtype=cupy.float32)
        b = cupy.random.standard_normal((n, n), dtype=cupy.float32)
        out = cupy.empty((n, n), cupy.float32)
        flops = 2.0 * n ** 3
        expected = cupy.matmul(a, b)
        row = {"cublas": flops / gpu_seconds(lambda: cupy.matmul(a, b, out=out), repeats) / 1e12}
        for name in matmul.KERNELS:
            if name == "naive" and n > 4096:
                continue  # minutes of GPU time to learn what 4096 already shows
            matmul.matmul(a, b, kernel=name, out=out)
            error = float(cupy.abs(out - expected).max() / cupy.abs(expected).max())
            if error > 1e-4:
                raise AssertionError(f"matmul kernel {name} at {n}: relative error {error:.2e}")
            seconds = gpu_seconds(lambda: matmul.matmul(a, b, kernel=name, out=out), repeats)
            row[name] = flops / seconds / 1e12
        rows[str(n)] = row
        print(f"matmul {n:5d}: " + "  ".join(f"{k} {v:6.2f}" for k, v in row.items())
              + "  TFLOPS", flush=True)
    return rows


# ----------------------------------------------------------------------------- (b) bandwidth
def bench_bandwidth(repeats: int) -> dict:
    import cupy
    from minigrad_kernels import activations
    x = cupy.random.standard_normal(1 << 26, dtype=cupy.float32)
    y = cupy.empty_like(x)
    moved = 2 * x.nbytes  # read x, write y
    copy = moved / gpu_seconds(lambda: cupy.copyto(y, x), repeats) / 1e9
    relu = moved / gpu_seconds(lambda: activations.activation_forward(x, "relu"), repeats) / 1e9
    result = {"copy_GBps": copy, "relu_GBps": relu, "fraction_of_copy": relu / copy}
    print(f"bandwidth: copy {copy:.0f} GB/s, relu kernel {relu:.0f} GB/s "
          f"({100 * relu / copy:.0f}% of copy; target >= 80%)", flush=True)
    return result


# ----------------------------------------------------------------------------- (c) launches
def bench_launch(number: int) -> dict:
    import cupy
    from minigrad_kernels import launch
    from minigrad_kernels.compile import kernels
    x, y = cupy.ones(1, cupy.float32), cupy.empty(1, cupy.float32)
    kernel = kernels("cuda", np.float32).relu_map
    ours = wall_seconds_per_call(lambda: launch.launch(kernel, (1,), (32,), x, y), number)
    numba_dispatch = wall_seconds_per_call(lambda: kernel[1, 32](x, y), number)
    cupy_kernel = wall_seconds_per_call(lambda: cupy.maximum(x, 0, out=y), number)
    result = {"minigrad_launch_us": ours * 1e6, "numba_dispatch_us": numba_dispatch * 1e6,
              "cupy_elementwise_us": cupy_kernel * 1e6}
    print("launch overhead (µs per call): " + ", ".join(f"{k} {v:.1f}" for k, v in
                                                         result.items()), flush=True)
    return result


# ----------------------------------------------------------------------------- (d) P2 step
def bench_p2_step(torch, repeats: int) -> dict:
    import minigrad as mg
    import minigrad.functional as F
    from minigrad import nn
    rng = np.random.default_rng(0)
    x_np, y_np = rng.random((128, 784), dtype=np.float32), rng.integers(0, 10, 128)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10)).fuse().to("cuda")
    optimizer = mg.optim.Adam(model.parameters())
    x, y = mg.tensor(x_np, device="cuda"), mg.tensor(y_np, device="cuda")

    def ours():
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    steps = {"minigrad": ours}
    if torch is not None:
        tnn = torch.nn
        t_model = tnn.Sequential(tnn.Linear(784, 128), tnn.ReLU(), tnn.Linear(128, 64),
                                 tnn.ReLU(), tnn.Linear(64, 10)).cuda()
        t_opt = torch.optim.Adam(t_model.parameters())
        tx, ty = torch.from_numpy(x_np).cuda(), torch.from_numpy(y_np).cuda()

        def theirs():
            t_opt.zero_grad()
            tnn.functional.cross_entropy(t_model(tx), ty).backward()
            t_opt.step()
        steps["torch"] = theirs
    samples = {name: [] for name in steps}
    for _ in range(repeats):  # interleaved, wall clock per step with the GPU drained
        for name, step in steps.items():
            samples[name].append(wall_seconds_per_call(step, 50))
    result = {f"{k}_ms": statistics.median(v) * 1e3 for k, v in samples.items()}
    if "torch" in samples:
        result["ratio_vs_torch"] = statistics.median(
            a / b for a, b in zip(samples["minigrad"], samples["torch"]))
    print("P2 step on the GPU: " + ", ".join(f"{k} {v:.3f}" for k, v in result.items()),
          flush=True)
    return result


def plot(rows: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    sizes = [int(n) for n in rows]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for name in next(iter(rows.values())):
        points = [(n, rows[str(n)][name]) for n in sizes if name in rows[str(n)]]
        ax.plot(*zip(*points), marker="o", label=name, lw=3 if name == "cublas" else 1.5)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("n (C = A·B, all n×n, float32)")
    ax.set_ylabel("TFLOPS")
    ax.set_title("minigrad_kernels.matmul vs cuBLAS")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None) -> dict | None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    if not gpu_available():
        print("kernels: skipped — no NVIDIA GPU visible to CuPy (pip install 'minigrad[gpu]' on "
              "a machine with one)")
        return None
    import cupy
    torch = torch_or_none()
    if torch is not None and not torch.cuda.is_available():
        print("PyTorch has no CUDA here (a CPU build): its GPU columns are skipped")
        torch = None
    repeats = 3 if args.quick else 10
    result = {"device": cupy.cuda.runtime.getDeviceProperties(0)["name"].decode(),
              "targets": {"best_vs_cublas_at_4096": 0.6, "elementwise_fraction_of_copy": 0.8,
                          "launch_us": 20.0, "p2_step_vs_torch": 1.0},
              "quick": args.quick, "errors": {}}
    sections = {"matmul_tflops": lambda: bench_matmul(QUICK_SIZES if args.quick else SIZES,
                                                      repeats),
                "elementwise": lambda: bench_bandwidth(repeats),
                "launch": lambda: bench_launch(200 if args.quick else 2000),
                "p2_step": lambda: bench_p2_step(torch, 3 if args.quick else 9)}
    for name, run in sections.items():  # the JSON is written after every section: a failing
        try:                             # one costs only itself
            result[name] = run()
        except Exception as err:  # noqa: BLE001 - recorded, reported, and the exit code says
            result["errors"][name] = f"{type(err).__name__}: {err}"
            print(f"{name}: FAILED: {result['errors'][name]}")
        path = write_result("kernels", result, args.out)
    at_4096 = result.get("matmul_tflops", {}).get("4096")
    if at_4096:
        best = max(v for k, v in at_4096.items() if k != "cublas")
        result["best_vs_cublas_at_4096"] = best / at_4096["cublas"]
        print(f"best kernel at 4096: {100 * result['best_vs_cublas_at_4096']:.0f}% of cuBLAS "
              f"(target >= 60%)")
        path = write_result("kernels", result, args.out)
        plot(result["matmul_tflops"], Path(args.out or RESULTS) / "kernels_matmul.png")
    print(f"wrote {path}")
    if result["errors"]:
        raise SystemExit(f"kernels benchmark: {len(result['errors'])} section(s) failed")
    return result


if __name__ == "__main__":
    main()
