"""One optimizer step over ~1M parameters in 20 tensors: minigrad vs torch.optim on the CPU
(foreach off and on), each candidate in its own process, the three alternating round by round
(``common.compare_in_processes``).  Target (issue 3): within 1.5x PyTorch; Adam (issue 15):
within 0.6x PyTorch with foreach off.

    python benchmarks/bench_optim.py [--quick] [--out DIR]
"""
from __future__ import annotations

import argparse
import importlib

import numpy as np

import minigrad as mg
from minigrad import interrupt
from common import (add_worker_options, run_worker, timings_in_processes, torch_or_none,
                    write_result)

SETTINGS = {"SGD": dict(lr=0.01, momentum=0.9), "RMSprop": dict(lr=0.01),
            "Adam": dict(lr=1e-3), "AdamW": dict(lr=1e-3)}


def shapes(total: int = 1_000_000, count: int = 20) -> list:
    """``count`` matrices of varied sizes holding about ``total`` parameters together."""
    sizes = np.linspace(0.5, 1.5, count)
    sizes = sizes / sizes.sum() * total
    return [(int(s) // 100, 100) for s in sizes]


def make_step(lib, optimizer_class, settings, arrays, grads, **extra):
    params = [lib.tensor(a, requires_grad=True) for a in arrays]
    for p, g in zip(params, grads):
        p.grad = lib.tensor(g)
    optimizer = optimizer_class(params, **settings, **extra)
    return optimizer.step


def candidate(name: str, total: int):
    """The step a worker process times, named ``<optimizer>:<minigrad | torch_foreach_false |
    torch_foreach_true>``, over ``total`` parameters drawn from one seed."""
    optimizer, framework = name.split(":")
    rng = np.random.default_rng(0)
    layout = shapes(total)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in layout]
    grads = [rng.standard_normal(s).astype(np.float32) for s in layout]
    if framework == "minigrad":
        return make_step(mg, getattr(mg.optim, optimizer), SETTINGS[optimizer], arrays, grads)
    torch = importlib.import_module("torch")
    return make_step(torch, getattr(torch.optim, optimizer), SETTINGS[optimizer], arrays, grads,
                     foreach=framework.endswith("true"))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None)
    add_worker_options(parser)
    args = parser.parse_args(argv)
    total = 100_000 if args.quick else 1_000_000
    if args.worker:
        return run_worker(candidate(args.worker, total), args.number, args.repeats)
    torch = torch_or_none()
    frameworks = ["minigrad"] + (["torch_foreach_false", "torch_foreach_true"] if torch else [])
    count, number, repeats = (1, 2, 3) if args.quick else (5, 10, 7)
    results = {}
    print(f"{'optimizer':<10}{'minigrad ms':>12}{'torch ms':>10}{'foreach ms':>12}"
          f"{'ratio':>8}{'vs foreach':>12}")
    for name in interrupt.phases(SETTINGS, first_always=True):  # none after a Ctrl-C
        entry = timings_in_processes(frameworks, {"torch": "torch_foreach_false",
                                                  "torch_foreach": "torch_foreach_true"},
                                     {}, count, number, repeats, name,
                                     build=(lambda n: candidate(n, total)) if args.quick else None)
        if torch is not None:
            print(f"{name:<10}{entry['minigrad_ms']:>12.2f}{entry['torch_foreach_false_ms']:>10.2f}"
                  f"{entry['torch_foreach_true_ms']:>12.2f}"
                  f"{entry['ratio_vs_torch']['median']:>8.2f}"
                  f"{entry['ratio_vs_torch_foreach']['median']:>12.2f}")
        results[name] = entry
    layout = shapes(total)
    payload = {"parameters": int(sum(np.prod(s) for s in layout)), "tensors": len(layout),
               "optimizers": results, "target_ratio": 1.5, "quick": args.quick}
    print(f"wrote {write_result('optim', payload, args.out)}")
    return payload


if __name__ == "__main__":
    main()
