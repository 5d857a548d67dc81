"""Autograd features that cost time: higher-order gradients, and the first-order path they
must not slow down.

(a) Hessian-vector product of SPEC P2's loss (784-128-64-10 MLP, ReLU, cross-entropy, batch
    128) with respect to all its parameters: ``minigrad.autograd.functional.hvp`` vs
    ``torch.autograd.functional.hvp`` and vs PyTorch's plain double backward (the first
    gradient with create_graph=True, then the gradient of its dot product with v).
    Target (issue 14): <= 1.5x PyTorch.  Each candidate runs in its own process
    (``common.compare_in_processes``), one thread, then all threads: in one process PyTorch's
    spinning workers slowed its ``autograd.functional.hvp`` from 2.0 to 7.7 ms.
(b) P2's training step (nn.Sequential, CrossEntropyLoss, Adam) of this checkout vs an earlier
    one given by ``--before DIR`` (a checkout of the commit before the change, e.g. made with
    ``git worktree add /tmp/before <rev>``), both imported into this process and timed
    interleaved.  Target (issue 14): within 5%.

    python benchmarks/bench_autograd.py [--before DIR] [--part hvp|step] [--quick] [--out DIR]

``--part`` runs one of the two and keeps the other's section of the results file as it was
measured (each section names the command that measured it).
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import interrupt
from common import (RESULTS, add_worker_options, compare, ratio, run_worker,
                    threadings, timings_in_processes, torch_or_none, write_result)

SIZES = (784, 128, 64, 10)
BATCH = 128


def p2_arrays(seed: int = 0):
    """Inputs, labels, parameters in (out, in) layout, and a direction v for each."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        params += [rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                   rng.uniform(-bound, bound, fan_out).astype(np.float32)]
    v = [rng.standard_normal(p.shape).astype(np.float32) for p in params]
    return x, y, params, v


def p2_loss(F, x, y):
    """The P2 loss as a function of its six parameters (F: a functional namespace)."""
    def loss(w1, b1, w2, b2, w3, b3):
        h = F.relu(F.linear(x, w1, b1))
        h = F.relu(F.linear(h, w2, b2))
        return F.cross_entropy(F.linear(h, w3, b3), y)
    return loss


def hvp_candidates(torch) -> dict:
    x, y, params, v = p2_arrays()
    from minigrad.autograd import functional as AF
    loss = p2_loss(mg.functional, mg.tensor(x), mg.tensor(y))
    mg_params, mg_v = tuple(map(mg.tensor, params)), tuple(map(mg.tensor, v))
    candidates = {"minigrad": lambda: AF.hvp(loss, mg_params, mg_v)}
    if torch is None:
        return candidates
    t_loss = p2_loss(torch.nn.functional, torch.tensor(x), torch.tensor(y))
    t_params, t_v = tuple(map(torch.tensor, params)), tuple(map(torch.tensor, v))

    def double_backward():
        ps = [p.detach().requires_grad_() for p in t_params]
        grads = torch.autograd.grad(t_loss(*ps), ps, create_graph=True)
        dot = sum((g * d).sum() for g, d in zip(grads, t_v))
        return torch.autograd.grad(dot, ps)
    candidates["torch_hvp"] = lambda: torch.autograd.functional.hvp(t_loss, t_params, t_v)
    candidates["torch_double_backward"] = double_backward
    return candidates


def check_hvp_agrees(torch) -> float:
    """Largest relative difference between minigrad's and PyTorch's H v (float64)."""
    x, y, params, v = p2_arrays()
    from minigrad.autograd import functional as AF
    as64 = lambda arrays: [a.astype(np.float64) for a in arrays]  # noqa: E731
    _, ours = AF.hvp(p2_loss(mg.functional, mg.tensor(x.astype(np.float64)), mg.tensor(y)),
                     tuple(map(mg.tensor, as64(params))), tuple(map(mg.tensor, as64(v))))
    _, theirs = torch.autograd.functional.hvp(
        p2_loss(torch.nn.functional, torch.tensor(x.astype(np.float64)), torch.tensor(y)),
        tuple(map(torch.tensor, as64(params))), tuple(map(torch.tensor, as64(v))))
    return max(float(np.abs(a.numpy() - b.numpy()).max() / (np.abs(b.numpy()).max() + 1e-30))
               for a, b in zip(ours, theirs))


def load_checkout(path: str, name: str = "minigrad_before"):
    """The ``minigrad`` package of another checkout, imported under ``name``."""
    spec = importlib.util.spec_from_file_location(
        name, f"{path}/minigrad/__init__.py", submodule_search_locations=[f"{path}/minigrad"])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def training_step(lib):
    """P2's training step in ``lib`` (a minigrad package), as the recipes run it."""
    x, y, params, _ = p2_arrays()
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(784, 128), lib.nn.ReLU(), lib.nn.Linear(128, 64),
                              lib.nn.ReLU(), lib.nn.Linear(64, 10))
    if hasattr(model, "fuse"):  # as the recipes build it (earlier checkouts fused silently)
        model.fuse()
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    xs, ys = lib.tensor(x), lib.tensor(y)

    def step():
        optimizer.zero_grad()
        loss_fn(model(xs), ys).backward()
        optimizer.step()
    return step


HVP_NAMES = ("minigrad", "torch_hvp", "torch_double_backward")


def hvp_section(torch, quick: bool) -> dict:
    """(a): each Hessian-vector product in its own processes, one thread then all threads."""
    names = list(HVP_NAMES if torch is not None else HVP_NAMES[:1])
    count, number, repeats = (1, 2, 3) if quick else (5, 10, 7)
    section = {}
    build = (lambda name: hvp_candidates(torch)[name]) if quick else None
    for label, env in interrupt.phases(threadings(quick), first_always=True):
        timing = section[label] = timings_in_processes(
            names, {name: name for name in HVP_NAMES[1:]}, env, count, number, repeats,
            build=build)
        print(f"P2 loss, Hessian-vector product over 109,386 parameters, {label}:",
              ", ".join(f"{k} {v:.3f}" for k, v in timing.items() if k.endswith("_ms")))
        for key in ("ratio_vs_torch_hvp", "ratio_vs_torch_double_backward"):
            if key in timing:
                print(f"  {key}: {timing[key]['median']:.3f} (target <= 1.5)")
    if torch is not None:
        section["max_relative_difference_float64"] = check_hvp_agrees(torch)
    return section


def step_section(before: str | None, quick: bool) -> dict:
    """(b): P2's training step of this checkout vs ``before``, interleaved in this process
    (two minigrads, no PyTorch: nothing spins between them)."""
    number, repeats = (2, 3) if quick else (10, 15)
    steps = {"minigrad": training_step(mg)}
    if before:
        steps["before"] = training_step(load_checkout(before))
    stats = compare(steps, 5 * number, repeats)
    step = {f"{k}_ms": s["median_s"] * 1e3 for k, s in stats.items()}
    if before:
        step["ratio_vs_before"] = ratio(stats, "minigrad", "before")
        step["before"] = before
        print(f"P2 training step: this checkout {step['minigrad_ms']:.3f} ms, before "
              f"{step['before_ms']:.3f} ms, ratio {step['ratio_vs_before']['median']:.3f} "
              f"(target <= 1.05)")
    return step


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=None, help="a checkout of the earlier commit")
    parser.add_argument("--part", choices=["hvp", "step"], default=None,
                        help="run one part; the other keeps its recorded section")
    parser.add_argument("--quick", action="store_true", help="few repeats (a smoke run)")
    parser.add_argument("--out", default=None, help="folder for autograd.json")
    add_worker_options(parser)
    args = parser.parse_args(argv)
    if args.worker:  # a worker process: one Hessian-vector product, timed
        torch = None if args.worker == "minigrad" else importlib.import_module("torch")
        return run_worker(hvp_candidates(torch)[args.worker], args.number, args.repeats)
    torch = torch_or_none()
    command = " ".join([Path(sys.executable).name] + sys.argv)
    recorded = Path(args.out or RESULTS) / "autograd.json"
    kept = json.loads(recorded.read_text()) if args.part and recorded.exists() else {}
    result = {"quick": args.quick, "targets": {"hvp_vs_torch": 1.5, "step_vs_before": 1.05}}
    for key in ("p2_hvp", "p2_step"):  # a kept section names the command that measured it
        if kept.get(key):
            result[key] = {"command": kept["command"], **kept[key]}
    if args.part in (None, "hvp"):
        result["p2_hvp"] = {"command": command, **hvp_section(torch, args.quick)}
    if args.part in (None, "step"):
        result["p2_step"] = {"command": command, **step_section(args.before, args.quick)}
    print(f"wrote {write_result('autograd', result, args.out)}")
    return result


if __name__ == "__main__":
    main()
