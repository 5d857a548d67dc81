"""How much does minigrad's Python autograd cost?

(a) Per-op overhead: one forward + backward of a tiny op (where the arithmetic is negligible
    and what remains is bookkeeping), minigrad vs PyTorch CPU.
(b) One training step's forward + backward of SPEC P2's MLP (784-128-64-10, ReLU,
    cross-entropy, batch 128) from raw Tensors, vs the same GEMMs written in bare NumPy, vs
    PyTorch.

Targets (issue 2): P2 step within 1.15x bare NumPy and 1.25x PyTorch; per-op overhead within
3x PyTorch's.  (c) P2's whole training step with Adam vs the same step in bare NumPy, one
thread and all threads; target (issue 15): <= 1.0x.

Every candidate runs in its own process (``common.compare_in_processes``), the candidates of a
comparison alternating round by round: sharing a process with PyTorch's spinning workers once
made PyTorch's P2 step look 0.75 ms when it takes 0.40.

    python benchmarks/bench_overhead.py [--quick] [--out DIR]
"""
from __future__ import annotations

import argparse
import importlib

import numpy as np

import minigrad as mg
import minigrad.functional as F
from common import (add_worker_options, run_worker, threadings, timings_in_processes,
                    torch_or_none, write_result)

# ----------------------------------------------------------------------------- (a) tiny ops


def tiny_ops(lib, make):
    """name -> (callable running forward+backward once) for lib = minigrad or torch."""
    a, b = make((8, 8)), make((8, 8))
    g = lib.ones(8, 8)

    def run(op):
        def step():
            a.grad = b.grad = None
            op().backward(g)
        return step

    def run_scalar():
        a.grad = None
        a.sum().backward()
    relu = lib.relu if hasattr(lib, "relu") else F.relu
    return {"add": run(lambda: a + b), "mul": run(lambda: a * b),
            "matmul_8x8": run(lambda: a @ b), "relu": run(lambda: relu(a)),
            "sum": run_scalar}


# ----------------------------------------------------------------------------- (b) P2 step


SIZES = (784, 128, 64, 10)
BATCH = 128


def p2_data(rng):
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return x, y, params


def numpy_step(x, y, params):
    """The P2 forward and backward written by hand in NumPy: the floor minigrad is held to."""
    w1, b1, w2, b2, w3, b3 = params
    z1 = x @ w1 + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ w2 + b2
    a2 = np.maximum(z2, 0)
    z3 = a2 @ w3 + b3
    shifted = z3 - z3.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(BATCH), y]).mean()
    d3 = p
    d3[np.arange(BATCH), y] -= 1
    d3 /= BATCH
    grads = [a2.T @ d3, d3.sum(0)]
    d2 = (d3 @ w3.T) * (z2 > 0)
    grads = [a1.T @ d2, d2.sum(0)] + grads
    d1 = (d2 @ w2.T) * (z1 > 0)
    grads = [x.T @ d1, d1.sum(0)] + grads
    return loss, grads


def autograd_step(lib, cross_entropy, x, y, params):
    """Forward and backward of P2 with raw tensors in an autograd library."""
    def step():
        for p in params:
            p.grad = None
        w1, b1, w2, b2, w3, b3 = params
        h = (x @ w1 + b1).relu()
        h = (h @ w2 + b2).relu()
        loss = cross_entropy(h @ w3 + b3, y)
        loss.backward()
        return loss
    return step


def numpy_adam(params, grads, moments, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam written by hand in NumPy, in place, with the bias corrections folded into two
    scalars: as few passes and temporaries as plain NumPy allows."""
    correction = np.sqrt(1 - beta2 ** t)
    lr_t, eps_t = lr * correction / (1 - beta1 ** t), eps * correction
    for p, g, (m, v) in zip(params, grads, moments):
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        step = np.sqrt(v)
        step += eps_t
        np.divide(m, step, out=step)
        step *= lr_t
        p -= step


def train_step(framework: str, x, y, params):
    """P2's whole training step — forward, backward, Adam — as users write it with minigrad
    (nn.Sequential, CrossEntropyLoss, optim.Adam), written by hand in bare float32 NumPy (the
    floor an autograd engine's overhead is measured from), or in PyTorch, from the same
    initial weights."""
    if framework == "numpy":
        numpy_params = [p.copy() for p in params]
        moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
        clock = [0]

        def numpy_train_step():
            clock[0] += 1
            _, grads = numpy_step(x, y, numpy_params)
            numpy_adam(numpy_params, grads, moments, clock[0])
        return numpy_train_step
    lib = importlib.import_module(framework) if framework == "torch" else mg
    model = lib.nn.Sequential(lib.nn.Linear(784, 128), lib.nn.ReLU(), lib.nn.Linear(128, 64),
                              lib.nn.ReLU(), lib.nn.Linear(64, 10))
    if lib is mg:
        model.fuse()  # as the recipes build P2: each Linear-ReLU one node where kernels run
    with lib.no_grad():
        for layer, (w, b) in zip(model[::2], zip(params[::2], params[1::2])):
            layer.weight.copy_(lib.tensor(np.ascontiguousarray(w.T)))
            layer.bias.copy_(lib.tensor(b))
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn, xs, ys = lib.nn.CrossEntropyLoss(), lib.tensor(x), lib.tensor(y)

    def step():
        optimizer.zero_grad()
        loss_fn(model(xs), ys).backward()
        optimizer.step()
    return step


def candidate(name: str):
    """The step a worker process times, named ``<workload>:<framework>``: a tiny op
    (``tiny_add``...), ``p2_step`` (forward + backward) or ``p2_train_step`` (with Adam), in
    minigrad, PyTorch or hand-written NumPy."""
    workload, framework = name.split(":")
    torch = importlib.import_module("torch") if framework == "torch" else None
    rng = np.random.default_rng(0)
    if workload.startswith("tiny_"):
        lib = torch or mg
        return tiny_ops(lib, lambda s: lib.tensor(rng.standard_normal(s).astype(np.float32),
                                                  requires_grad=True))[workload[5:]]
    x, y, params = p2_data(rng)
    if workload == "p2_train_step":
        return train_step(framework, x, y, params)
    if framework == "numpy":
        return lambda: numpy_step(x, y, params)
    lib = torch or mg
    cross_entropy = torch.nn.functional.cross_entropy if torch else F.cross_entropy
    return autograd_step(lib, cross_entropy, lib.tensor(x), lib.tensor(y),
                         [lib.tensor(p, requires_grad=True) for p in params])


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repeats (a smoke run)")
    parser.add_argument("--out", default=None, help="folder for overhead.json")
    add_worker_options(parser)
    args = parser.parse_args(argv)
    if args.worker:
        return run_worker(candidate(args.worker), args.number, args.repeats)
    torch = torch_or_none()
    frameworks = ["minigrad", "numpy"] + (["torch"] if torch is not None else [])
    autograds = [f for f in frameworks if f != "numpy"]
    count, ops_n, p2_n, repeats = (1, 50, 5, 3) if args.quick else (5, 2000, 100, 7)
    references, build = {"numpy": "numpy", "torch": "torch"}, candidate if args.quick else None
    result = {"tiny_ops": {name: timings_in_processes(autograds, references, {}, count, ops_n,
                                                      repeats, f"tiny_{name}", 1e6, "us",
                                                      build=build)
                           for name in ("add", "mul", "matmul_8x8", "relu", "sum")},
              "p2_step": timings_in_processes(frameworks, references, {}, count, p2_n, repeats,
                                              "p2_step", build=build),
              "p2_train_step": {label: timings_in_processes(frameworks, references, env, count,
                                                            p2_n, repeats, "p2_train_step",
                                                            build=build)
                                for label, env in threadings(args.quick)},
              "targets": {"p2_vs_numpy": 1.15, "p2_vs_torch": 1.25, "op_vs_torch": 3.0,
                          "p2_train_step_vs_numpy": 1.0},
              "quick": args.quick}
    print(f"{'op (fwd+bwd)':<14}{'minigrad µs':>12}{'torch µs':>10}{'ratio':>8}")
    for name, r in result["tiny_ops"].items():
        torch_us = f"{r['torch_us']:.1f}" if "torch_us" in r else "-"
        rat = f"{r['ratio_vs_torch']['median']:.2f}" if "ratio_vs_torch" in r else "-"
        print(f"{name:<14}{r['minigrad_us']:>12.1f}{torch_us:>10}{rat:>8}")
    p2 = result["p2_step"]
    print(f"\nP2 step (784-128-64-10, batch {BATCH}): minigrad {p2['minigrad_ms']:.3f} ms, "
          f"numpy {p2['numpy_ms']:.3f} ms, torch {p2.get('torch_ms', float('nan')):.3f} ms")
    print(f"  ratio vs numpy {p2['ratio_vs_numpy']['median']:.3f} (target <= 1.15)"
          + (f", vs torch {p2['ratio_vs_torch']['median']:.3f} (target <= 1.25)"
             if "ratio_vs_torch" in p2 else ""))
    for key, step in result["p2_train_step"].items():
        print(f"P2 training step with Adam ({key.replace('_', ' ')}): minigrad "
              f"{step['minigrad_ms']:.3f} ms, hand-written NumPy {step['numpy_ms']:.3f} ms: "
              f"{step['ratio_vs_numpy']['median']:.3f} (target <= 1.0)")
    path = write_result("overhead", result, args.out)
    print(f"wrote {path}")
    return result


if __name__ == "__main__":
    main()
