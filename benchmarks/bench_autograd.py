"""Autograd features that cost time: higher-order gradients, and the first-order path they
must not slow down.

(a) Hessian-vector product of SPEC P2's loss (784-128-64-10 MLP, ReLU, cross-entropy, batch
    128) with respect to all its parameters: ``minigrad.autograd.functional.hvp`` vs
    ``torch.autograd.functional.hvp`` and vs PyTorch's plain double backward (the first
    gradient with create_graph=True, then the gradient of its dot product with v).
    Target (issue 14): <= 1.5x PyTorch.
(b) P2's training step (nn.Sequential, CrossEntropyLoss, Adam) of this checkout vs an earlier
    one given by ``--before DIR`` (a checkout of the commit before the change, e.g. made with
    ``git worktree add /tmp/before <rev>``), both imported into this process and timed
    interleaved.  Target (issue 14): within 5%.

    python benchmarks/bench_autograd.py [--before DIR] [--quick] [--out DIR]
"""
from __future__ import annotations

import argparse
import importlib.util
import sys

import numpy as np

import minigrad as mg
from common import compare, ratio, torch_or_none, write_result

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
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    xs, ys = lib.tensor(x), lib.tensor(y)

    def step():
        optimizer.zero_grad()
        loss_fn(model(xs), ys).backward()
        optimizer.step()
    return step


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=None, help="a checkout of the earlier commit")
    parser.add_argument("--quick", action="store_true", help="few repeats (a smoke run)")
    parser.add_argument("--out", default=None, help="folder for autograd.json")
    args = parser.parse_args(argv)
    torch = torch_or_none()
    number, repeats = (2, 3) if args.quick else (10, 15)
    result = {"quick": args.quick, "targets": {"hvp_vs_torch": 1.5, "step_vs_before": 1.05}}

    stats = compare(hvp_candidates(torch), number, repeats)
    hvp = {f"{k}_ms": s["median_s"] * 1e3 for k, s in stats.items()}
    if torch is not None:
        hvp["ratio_vs_torch_hvp"] = ratio(stats, "minigrad", "torch_hvp")
        hvp["ratio_vs_torch_double_backward"] = ratio(stats, "minigrad", "torch_double_backward")
        hvp["max_relative_difference_float64"] = check_hvp_agrees(torch)
    result["p2_hvp"] = hvp
    print("P2 loss, Hessian-vector product over 109,386 parameters:",
          ", ".join(f"{k} {v:.3f}" for k, v in hvp.items() if k.endswith("_ms")))
    for key in ("ratio_vs_torch_hvp", "ratio_vs_torch_double_backward"):
        if key in hvp:
            print(f"  {key}: {hvp[key]['median']:.3f} (target <= 1.5)")

    steps = {"minigrad": training_step(mg)}
    if args.before:
        steps["before"] = training_step(load_checkout(args.before))
    stats = compare(steps, 5 * number, repeats)
    step = {f"{k}_ms": s["median_s"] * 1e3 for k, s in stats.items()}
    if args.before:
        step["ratio_vs_before"] = ratio(stats, "minigrad", "before")
        step["before"] = args.before
        print(f"P2 training step: this checkout {step['minigrad_ms']:.3f} ms, before "
              f"{step['before_ms']:.3f} ms, ratio {step['ratio_vs_before']['median']:.3f} "
              f"(target <= 1.05)")
    result["p2_step"] = step
    print(f"wrote {write_result('autograd', result, args.out)}")
    return result


if __name__ == "__main__":
    main()
