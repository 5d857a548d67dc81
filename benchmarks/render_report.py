"""Render README's results section from ``benchmarks/results/*.json``.

Every number in the section between ``<!-- results:start -->`` and ``<!-- results:end -->``
comes from a results file, so no benchmark number in README is typed by hand.  The output is a
pure function of the files (running it twice gives the same text).

    python benchmarks/render_report.py            # rewrite README's section
    python benchmarks/render_report.py --check    # exit 1 if README is out of date
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def load_results(folder: Path = RESULTS) -> dict:
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def _machine(result: dict) -> str:
    env = result["environment"]
    return (f"{env['cpus']} CPUs, Python {env['python']}, NumPy {env['numpy']}, "
            f"PyTorch {env.get('torch') or 'not installed'}")


def overhead_table(result: dict) -> list[str]:
    lines = ["| measurement | minigrad | reference | ratio (target) |", "|---|---|---|---|"]
    for name, op in result["tiny_ops"].items():
        lines.append(f"| tiny op fwd+bwd: {name} | {op['minigrad_us']:.1f} µs | PyTorch "
                     f"{op['torch_us']:.1f} µs | {op['ratio_vs_torch']['median']:.2f}× (≤ 3×) |")
    p2 = result["p2_step"]
    lines.append(f"| P2 MLP 784-128-64-10, batch 128, fwd+bwd | {p2['minigrad_ms']:.3f} ms | bare "
                 f"NumPy {p2['numpy_ms']:.3f} ms | {p2['ratio_vs_numpy']['median']:.2f}× "
                 f"(≤ 1.15×) |")
    lines.append(f"| same step | {p2['minigrad_ms']:.3f} ms | PyTorch {p2['torch_ms']:.3f} ms | "
                 f"{p2['ratio_vs_torch']['median']:.2f}× (≤ 1.25×) |")
    return lines


def optim_table(result: dict) -> list[str]:
    lines = ["| optimizer | minigrad | PyTorch (foreach off) | PyTorch (foreach on) | ratio vs "
             "off / on (target ≤ 1.5×) |", "|---|---|---|---|---|"]
    for name, r in result["optimizers"].items():
        lines.append(f"| {name} | {r['minigrad_ms']:.2f} ms | {r['torch_foreach_false_ms']:.2f} ms "
                     f"| {r['torch_foreach_true_ms']:.2f} ms | "
                     f"{r['ratio_vs_torch']['median']:.2f}× / "
                     f"{r['ratio_vs_torch_foreach']['median']:.2f}× |")
    return lines


def _value(v) -> str:
    return "—" if v is None else f"{v:.4g}"


def _ratio(v) -> str:
    return "—" if v is None else f"{v:.2f}×"


def _others(values: dict) -> str:
    """' (lstm token accuracy 0.19, ...)' for a result's secondary numbers."""
    if not values:
        return ""
    return " (" + ", ".join(f"{k.replace('_', ' ')} {_value(v)}" for k, v in values.items()) + ")"


def recipes_table(results: dict) -> list[str]:
    from minigrad.experiments.recipes import RECIPES
    lines = ["| twin | seed (claim) | data, epochs × seeds | minigrad | PyTorch | time / epoch, "
             "minigrad ÷ PyTorch | peak memory ratio |", "|---|---|---|---|---|---|---|"]
    for key, recipe in RECIPES.items():
        r = results.get(f"recipes_{key}")
        if r is None:
            continue
        metric = r["metric"]
        data = r.get("data_name", "Fashion-MNIST" if metric == "test_accuracy" else "generated")
        name = metric.replace("test_", "test ").replace("final_", "final ")
        ours, theirs = r["minigrad"][metric], r.get("torch", {}).get(metric)
        ratios = r.get("ratios", {})
        name = name.replace("_", " ")
        ours = _value(ours)
        if "torch" not in r:  # minigrad-only experiments show their other contenders
            ours += _others(r["minigrad"].get("also", {}))
        lines.append(
            f"| {key.upper()} {recipe.short} | {recipe.source} ({recipe.claim}) | "
            f"{data}, {r['epochs']} × {r['repeats']} | {name} {ours} | "
            f"{_value(theirs)} | {_ratio(ratios.get('epoch_time'))} | "
            f"{_ratio(ratios.get('peak_memory'))} |")
    return lines


def kernels_section(result: dict | None) -> list[str]:
    """GPU kernels: TFLOPS per matmul kernel vs cuBLAS, bandwidth, launches, P2 on the GPU."""
    if result is None:
        return ["GPU (`python benchmarks/bench_kernels.py` on a machine with an NVIDIA GPU): not "
                "measured yet — no session with a GPU has run it. The kernels' correctness is "
                "tested in the CUDA simulator (`tests/test_kernels.py`)."]
    sizes = list(result["matmul_tflops"])
    names = list(dict.fromkeys(k for row in result["matmul_tflops"].values() for k in row))
    lines = [f"GPU kernels on {result['device']} (`{result['command']}`), matmul TFLOPS "
             f"(FP32, n×n):", "", "| n | " + " | ".join(names) + " |",
             "|---" * (len(names) + 1) + "|"]
    for n in sizes:
        row = result["matmul_tflops"][n]
        lines.append(f"| {n} | " + " | ".join(_value(row.get(k)) for k in names) + " |")
    e, launch, p2 = result["elementwise"], result["launch"], result["p2_step"]
    lines += ["", f"Best kernel at 4096: {_ratio(result.get('best_vs_cublas_at_4096'))} of "
              f"cuBLAS (target ≥ 0.6). Elementwise relu: {e['relu_GBps']:.0f} GB/s = "
              f"{_ratio(e['fraction_of_copy'])} of copy bandwidth (target ≥ 0.8). Launch: "
              f"{launch['minigrad_launch_us']:.1f} µs per call (Numba dispatch "
              f"{launch['numba_dispatch_us']:.1f} µs, CuPy {launch['cupy_elementwise_us']:.1f} "
              f"µs; target ≤ 20 µs). P2 step on the GPU: minigrad {p2['minigrad_ms']:.3f} ms"
              + (f", PyTorch {p2['torch_ms']:.3f} ms: {_ratio(p2['ratio_vs_torch'])} "
                 f"(target ≤ 1.0×)." if "torch_ms" in p2 else ".")]
    return lines


def train_step_lines(result: dict) -> list[str]:
    """P2's whole training step (forward, backward, Adam) against the same step in NumPy."""
    steps = result.get("p2_train_step")
    if not steps:
        return []
    parts = [f"{label}: minigrad {s['minigrad_ms']:.3f} ms, hand-written NumPy "
             f"{s['numpy_ms']:.3f} ms, {s['ratio_vs_numpy']['median']:.2f}× (PyTorch "
             f"{s['torch_ms']:.3f} ms)" for label, s in
             (("all threads", steps["all_threads"]), ("one thread", steps["one_thread"]))]
    return [f"P2 training step with Adam, float32, each candidate in its own process "
            f"(`{result['command']}`), against the bare-NumPy step written by hand "
            f"(target ≤ 1.0×): " + "; ".join(parts) + "."]


PEER_WORKLOADS = {"tiny_op": "tiny op (8×8 matmul, sum) fwd+bwd", "p2_step": "P2 training step",
                  "p4_step": "P4 training step", "lstm": "LSTM(64→128) ×50 fwd+bwd",
                  "p2_gemms_only": "P2 step's 8 GEMMs alone (jitted)"}


def peer_rows(workloads: dict) -> list[str]:
    """One table: each workload's median time per framework and, in brackets, minigrad's time
    divided by it in the same rounds."""
    names = list(dict.fromkeys(n for key in PEER_WORKLOADS for n in workloads.get(key, {})))
    lines = ["| workload | minigrad | " + " | ".join(names) + " |",
             "|---" * (len(names) + 2) + "|"]
    for key, label in PEER_WORKLOADS.items():
        row = workloads.get(key)
        if not row:
            continue
        ours = sorted(e["minigrad_ms"] for e in row.values() if "minigrad_ms" in e)
        cells = [(f"{row[n]['ms']:.3f} ms" + (f" ({row[n]['minigrad_ratio']:.2f})"
                                            if "minigrad_ratio" in row[n] else ""))
                 if n in row else "—" for n in names]
        mine = f"{ours[len(ours) // 2]:.3f} ms" if ours else "—"
        lines.append(f"| {label} | {mine} | " + " | ".join(cells) + " |")
    return lines


def peers_table(result: dict) -> list[str]:
    """minigrad against each peer, one thread per framework, each peer timed against minigrad
    in its own process."""
    workloads = result["workloads"]
    lines = [f"minigrad next to its peers, float32, same initial weights, each peer interleaved "
             f"with minigrad in its own process (`{result['command']}`; {_machine(result)}). "
             f"Each cell is the peer's median time and, in brackets, minigrad's time divided by "
             f"it in the same rounds. One thread per framework (with all threads, two "
             f"frameworks' worker pools in one process take cores from each other; the "
             f"all-thread comparisons with PyTorch above give each framework its own "
             f"process):", ""] + peer_rows(workloads)
    share = workloads.get("jax_p2_gemm_share")
    if share:
        lines += ["", f"Of JAX's jitted P2 step, its 8 matrix products alone (jitted the same "
                  f"way) take {100 * share:.0f}% of the time; the rest is its fused elementwise "
                  f"work, softmax and Adam."]
    return lines


def fusion_lines(result: dict) -> list[str]:
    """Kernel vs array formula per op family (what the kernel table records), and what
    compiling costs."""
    lines = [f"Fused kernels vs the array formulas they are compiled from, on the CPU "
             f"(`{result['command']}`; {_machine(result)}); `auto` uses a kernel where it is "
             f"faster (`minigrad/kernel_table.py`):", "",
             "| family | workload | kernel | array formula | ratio | under `auto` |",
             "|---|---|---|---|---|---|"]
    from minigrad.kernel_table import TABLE
    for family, r in result["families"].items():
        on = TABLE[family][result["device"]]
        lines.append(f"| {family} | {r['what']} | {r['kernel_ms']:.3f} ms | "
                     f"{r['array_formula_ms']:.3f} ms | {r['ratio']['median']:.2f}× | "
                     f"{'kernel' if on else 'array formula'} |")
    c = result.get("compile")
    if c:
        cold, warm, off = c["cold cache"], c["warm cache"], c["kernels off"]
        lines += ["", f"Compiling: `import minigrad` {cold['import_s']:.2f} s; P2's first "
                  f"training step {cold['first_step_s']:.2f} s with an empty kernel cache "
                  f"(Numba compiles), {warm['first_step_s']:.2f} s with the cache it left, "
                  f"{off['first_step_s']:.3f} s with kernels off; then "
                  f"{1e3 * warm['steady_step_s']:.2f} ms per step with kernels, "
                  f"{1e3 * off['steady_step_s']:.2f} ms without (one step, fresh process)."]
    return lines


def autograd_lines(r: dict) -> list[str]:
    """Second derivatives' cost (each candidate in its own process, one thread and all
    threads), and the first-order step against the commit before them."""
    h, step = r["p2_hvp"], r.get("p2_step") or {}
    timings = "; ".join(
        f"{label} minigrad `autograd.functional.hvp` {t['minigrad_ms']:.2f} ms, PyTorch double "
        f"backward {t['torch_double_backward_ms']:.2f} ms: "
        f"{t['ratio_vs_torch_double_backward']['median']:.2f}×, PyTorch's "
        f"`autograd.functional.hvp` {t['torch_hvp_ms']:.2f} ms "
        f"({t['ratio_vs_torch_hvp']['median']:.2f}×)"
        for label, t in (("one thread", h["one_thread"]), ("all threads", h["all_threads"])))
    text = (f"Hessian-vector product of P2's loss over its 109,386 parameters, each candidate "
            f"in its own process (`{h['command']}`): {timings} (target ≤ 1.5×).")
    if "ratio_vs_before" in step:
        text += (f" P2's training step with this autograd (create_graph, version counters, "
                 f"freed graphs) {step['minigrad_ms']:.3f} ms vs {step['before_ms']:.3f} ms "
                 f"before it, in the same process (`{step['command']}`): "
                 f"{step['ratio_vs_before']['median']:.3f}× (target ≤ 1.05×).")
    return [text]


def deploy_table(name: str, rows: dict) -> list[str]:
    """One model's deployment versions: accuracy, file size, onnxruntime latency (ratios to
    float32 from the same timing rounds)."""
    lines = [f"| {name} | test accuracy (onnxruntime) | file | gzip | batch 1 | batch 256 |",
             "|---|---|---|---|---|---|"]
    for label, r in rows.items():
        lines.append(f"| {label} | {r['accuracy']:.4f} | {r['bytes'] / 1024:.0f} KiB | "
                     f"{r['gzip_bytes'] / 1024:.0f} KiB | {r['latency_batch1_ms']:.3f} ms "
                     f"({r['latency_batch1_vs_float32']:.2f}×) | "
                     f"{r['latency_batch256_ms']:.2f} ms ({r['latency_batch256_vs_float32']:.2f}×) |")
    return lines


def deploy_lines(r: dict) -> list[str]:
    parts = [f"Deployment (`{r['command']}`; {_machine(r)}; onnxruntime "
             f"{r.get('onnxruntime', '?')}, {r['threads']} thread): each model exported to ONNX "
             f"as float32, int8 (`minigrad.quantization`, calibrated on 1,000 training images) "
             f"and 50/80/90% pruned (`minigrad.pruning`, global magnitude, then one epoch of "
             f"fine-tuning), measured in onnxruntime on the test set:"]
    for key, result in r["results"].items():
        parts += ["", f"{key.upper()}, {result['dataset']}, {result['epochs']} epochs:", ""]
        parts += deploy_table(key.upper(), result["rows"])
    return parts


def distributed_lines(r: dict) -> list[str]:
    """All-reduce bandwidth by message size, and epoch-time scaling on 2 processes."""
    b = r["bandwidth"]
    parts = [f"Data parallelism (`{r['command']}`; {_machine(r)}): all-reduce over "
             f"{b['processes']} processes ({b['backend']}), bus bandwidth 2(n−1)/n · size / time "
             f"(median of interleaved rounds), minigrad's `all_reduce` next to mpi4py's "
             f"`Allreduce`:", "",
             "| message | minigrad | mpi4py | minigrad ÷ mpi4py time |", "|---|---|---|---|"]
    for size, row in b["rows"].items():
        ours, theirs = row["minigrad"], row.get("mpi4py")
        label = f"{int(size) // 1024} KiB" if int(size) < 2 ** 20 else f"{int(size) // 2 ** 20} MiB"
        parts.append(f"| {label} | {ours['bus_gb_s']:.2f} GB/s ({ours['time_s'] * 1e6:.0f} µs) | "
                     + (f"{theirs['bus_gb_s']:.2f} GB/s ({theirs['time_s'] * 1e6:.0f} µs) | "
                        f"{ours['time_s'] / theirs['time_s']:.2f}× |" if theirs else "— | — |"))
    for key in ("p2", "p5"):
        if key in r:
            e = r[key]
            parts += ["", f"{key.upper()}, one epoch on {e['samples']:,} Fashion-MNIST images, "
                      f"one BLAS thread per process: 1 process {e['epoch_s_1']:.2f} s, 2 "
                      f"processes {e['epoch_s_2']:.2f} s: scaling efficiency "
                      f"{e['efficiency']:.2f} (median of {e['rounds']} alternating rounds; "
                      f"1.0 = twice as fast)."]
    return parts


def layer_line(layer: str, theirs: str, r: dict) -> str:
    """One layer benchmark (forward + backward, each framework in its own process): one
    thread and all threads."""
    timings = (("one thread", r["one_thread"]), ("all threads", r["all_threads"]))
    return (f"{layer}, forward + backward, each framework in its own process "
            f"(`{r['command']}`): " + "; ".join(
                f"{label} minigrad {t['minigrad_ms']:.1f} ms, {theirs} {t['torch_ms']:.1f} ms: "
                f"{t['ratio_vs_torch']['median']:.2f}×" for label, t in timings)
            + f" (target ≤ {r['target_ratio']:g}×).")


def render(results: dict) -> str:
    parts = []
    if "overhead" in results:
        parts += [f"Autograd overhead, each candidate in its own process "
                  f"(`{results['overhead']['command']}`; "
                  f"{_machine(results['overhead'])}):", ""] + overhead_table(results["overhead"])
        parts += [""] + train_step_lines(results["overhead"])
    if "optim" in results:
        r = results["optim"]
        parts += ["", f"One optimizer step over {r['parameters']:,} parameters in {r['tensors']} "
                  f"float32 tensors, each candidate in its own process (`{r['command']}`):",
                  ""] + optim_table(r)
    if "lstm" in results:
        parts += ["", layer_line("LSTM(64 → 128), sequence 100, batch 32", "PyTorch `nn.LSTM`",
                                 results["lstm"])]
    if "transformer" in results:
        parts += ["", layer_line("TransformerEncoderLayer(d_model 128, 4 heads, PyTorch's "
                                 "defaults), sequence 64, batch 32", "PyTorch",
                                 results["transformer"])]
    if "autograd" in results:
        parts += [""] + autograd_lines(results["autograd"])
    if "fusion" in results:
        parts += [""] + fusion_lines(results["fusion"])
    if "peers" in results:
        parts += [""] + peers_table(results["peers"])
    if "deploy" in results:
        parts += [""] + deploy_lines(results["deploy"])
    if "distributed" in results:
        parts += [""] + distributed_lines(results["distributed"])
    recipe_results = {k: v for k, v in results.items() if k.startswith("recipes_")}
    if recipe_results:
        any_result = next(iter(recipe_results.values()))
        parts += ["", f"Seed twins trained by minigrad and by PyTorch, same recipe and data, "
                  f"medians over seeds, each run in a fresh process "
                  f"(`python benchmarks/bench_recipes.py --case all`; {_machine(any_result)}). "
                  f"MNIST itself cannot be downloaded here, so the classifiers run on "
                  f"Fashion-MNIST:", ""] + recipes_table(results)
    parts += [""] + kernels_section(results.get("kernels"))
    return "\n".join(parts) + "\n"


def update_readme(text: str, readme: Path = ROOT / "README.md") -> str:
    content = readme.read_text()
    if START not in content or END not in content:
        raise SystemExit(f"{readme} has no {START} ... {END} section")
    head, rest = content.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + START + "\n" + text + END + tail


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check README is current")
    args = parser.parse_args(argv)
    readme = ROOT / "README.md"
    updated = update_readme(render(load_results()), readme)
    if args.check:
        current = updated == readme.read_text()
        print("README results are current" if current else "README results are out of date")
        return 0 if current else 1
    readme.write_text(updated)
    print(f"rewrote the results section of {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
