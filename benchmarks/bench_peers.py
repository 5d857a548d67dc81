"""minigrad next to its peers: PyTorch, JAX (``jax.jit`` of the whole step, and eager), DeZero,
and tinygrad (``TinyJit`` and eager), on the same workloads from the same initial weights,
float32, timed in interleaved rounds (``common.compare``).

    P2 step    784-128-64-10 MLP, batch 128: forward, backward, Adam
    P4 step    Conv(1→32, 3×3)-ReLU-MaxPool(2)-Linear(5408→128)-ReLU-Linear(128→10), batch 64
    LSTM       LSTM(64 → 128), 50 steps, batch 32: forward + backward
    tiny op    (8×8 @ 8×8).sum() forward + backward: what a framework costs per op

Each peer is measured against minigrad in its own process (the two interleaved, nothing else
loaded), with one thread per framework (``ONE_THREAD`` says why).  A peer that is not
installed is skipped with a line (``pip install 'minigrad[peers]'``; tinygrad's CPU device
also needs clang).  JAX's jitted step is XLA-compiled as one program; to
say how much of its speed is GEMM and how much fusion, the benchmark also times the same
step's matrix products alone, jitted.

    python benchmarks/bench_peers.py [--quick] [--out DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import numpy as np

from common import compare, ratio, write_result

P2 = (784, 128, 64, 10)


def initial_weights(seed: int = 0):
    """Shared weights: the P2 MLP's (out, in) matrices and biases, P4's conv and linears, the
    LSTM's, and the data."""
    rng = np.random.default_rng(seed)

    def u(fan_in, *shape):
        return rng.uniform(-1 / np.sqrt(fan_in), 1 / np.sqrt(fan_in), shape).astype(np.float32)
    mlp = [(u(i, o, i), u(i, o)) for i, o in zip(P2[:-1], P2[1:])]
    cnn = {"conv": (u(9, 32, 1, 3, 3), u(9, 32)), "fc1": (u(5408, 128, 5408), u(5408, 128)),
           "fc2": (u(128, 10, 128), u(128, 10))}
    lstm = (u(128, 512, 64), u(128, 512, 128), u(128, 512), u(128, 512))
    data = {"x": rng.standard_normal((128, 784)).astype(np.float32),
            "y": rng.integers(0, 10, 128),
            "images": rng.standard_normal((64, 1, 28, 28)).astype(np.float32),
            "labels": rng.integers(0, 10, 64),
            "sequence": rng.standard_normal((50, 32, 64)).astype(np.float32),
            "a": rng.standard_normal((8, 8)).astype(np.float32)}
    return mlp, cnn, lstm, data


# ----------------------------------------------------------------------------- minigrad, PyTorch
def pytorch_api_workloads(lib, assign, mlp, cnn, lstm, data):
    """The four workloads written once in PyTorch's API, which minigrad shares: ``lib`` is
    ``torch`` or ``minigrad``, ``assign(parameter, array)`` sets a parameter's value."""
    nn, F = lib.nn, lib.nn.functional

    def load(layer, weight, bias):
        assign(layer.weight, weight), assign(layer.bias, bias)
        return layer
    p2 = nn.Sequential(load(nn.Linear(784, 128), *mlp[0]), nn.ReLU(),
                       load(nn.Linear(128, 64), *mlp[1]), nn.ReLU(),
                       load(nn.Linear(64, 10), *mlp[2]))
    p4 = nn.Sequential(load(nn.Conv2d(1, 32, 3), *cnn["conv"]), nn.ReLU(), nn.MaxPool2d(2),
                       nn.Flatten(), load(nn.Linear(5408, 128), *cnn["fc1"]), nn.ReLU(),
                       load(nn.Linear(128, 10), *cnn["fc2"]))
    for model in (p2, p4):
        if hasattr(model, "fuse"):  # minigrad's, as its recipes build them
            model.fuse()
    rnn = nn.LSTM(64, 128)
    for name, value in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), lstm):
        assign(getattr(rnn, name), value)
    x, y, images, labels, sequence = (lib.tensor(data[k]) for k in
                                      ("x", "y", "images", "labels", "sequence"))
    a = lib.tensor(data["a"], requires_grad=True)
    return {"p2_step": _step(p2, lib.optim.Adam(p2.parameters(), lr=1e-3),
                             lambda: F.cross_entropy(p2(x), y)),
            "p4_step": _step(p4, lib.optim.Adam(p4.parameters(), lr=1e-3),
                             lambda: F.cross_entropy(p4(images), labels)),
            "lstm": _step(rnn, None, lambda: (rnn(sequence)[0] ** 2).mean()),
            "tiny_op": lambda: (a @ a).sum().backward()}


def minigrad_workloads(mlp, cnn, lstm, data):
    import minigrad

    def assign(parameter, value):
        parameter.array[...] = value
    return pytorch_api_workloads(minigrad, assign, mlp, cnn, lstm, data)


def torch_workloads(mlp, cnn, lstm, data):
    import torch

    def assign(parameter, value):
        with torch.no_grad():
            parameter.copy_(torch.tensor(value))
    return pytorch_api_workloads(torch, assign, mlp, cnn, lstm, data)


def _step(model, optimizer, loss):
    def run():
        model.zero_grad()
        loss().backward()
        if optimizer is not None:
            optimizer.step()
    return run


# ----------------------------------------------------------------------------- JAX
def jax_workloads(mlp, cnn, lstm, data, jit: bool):
    import jax
    import jax.numpy as jnp
    compile_ = jax.jit if jit else (lambda f: f)

    def mlp_loss(params, x, y):
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w.T + b
            h = jax.nn.relu(h) if i < 2 else h
        return -jnp.mean(jax.nn.log_softmax(h)[jnp.arange(len(y)), y])

    def cnn_loss(params, x, y):
        (cw, cb), (w1, b1), (w2, b2) = params
        h = jax.lax.conv_general_dilated(x, cw, (1, 1), "VALID") + cb[None, :, None, None]
        h = jax.nn.relu(h)
        h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
        h = jax.nn.relu(h.reshape(len(x), -1) @ w1.T + b1) @ w2.T + b2
        return -jnp.mean(jax.nn.log_softmax(h)[jnp.arange(len(y)), y])

    def adam(loss):
        def step(params, m, v, t, *batch):
            grads = jax.grad(loss)(params, *batch)
            m = jax.tree.map(lambda m, g: 0.9 * m + 0.1 * g, m, grads)
            v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
            c = jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
            params = jax.tree.map(lambda p, m, v: p - 1e-3 * c * m / (jnp.sqrt(v) + 1e-8),
                                  params, m, v)
            return params, m, v
        return compile_(step)

    def trainer(loss, params, *batch):
        state = {"params": params, "m": jax.tree.map(jnp.zeros_like, params),
                 "v": jax.tree.map(jnp.zeros_like, params), "t": 0}
        step = adam(loss)

        def run():
            state["t"] += 1
            state["params"], state["m"], state["v"] = step(state["params"], state["m"],
                                                           state["v"], state["t"], *batch)
            jax.block_until_ready(state["params"])
        return run

    def lstm_loss(params, xs):
        w_ih, w_hh, b_ih, b_hh = params
        n = w_hh.shape[1]

        def cell(carry, x):
            h, c = carry
            a = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
            i, f, g, o = (jax.nn.sigmoid(a[:, :n]), jax.nn.sigmoid(a[:, n:2 * n]),
                          jnp.tanh(a[:, 2 * n:3 * n]), jax.nn.sigmoid(a[:, 3 * n:]))
            c = f * c + i * g
            h = o * jnp.tanh(c)
            return (h, c), h
        zeros = jnp.zeros((xs.shape[1], n), xs.dtype)
        return jnp.mean(jax.lax.scan(cell, (zeros, zeros), xs)[1] ** 2)
    lstm_grad = compile_(jax.grad(lstm_loss))
    tiny = compile_(jax.grad(lambda a: (a @ a).sum()))
    to = lambda t: jax.tree.map(jnp.asarray, t)  # noqa: E731
    lstm_params, sequence, a = to(lstm), jnp.asarray(data["sequence"]), jnp.asarray(data["a"])
    workloads = {
        "p2_step": trainer(mlp_loss, to(mlp), jnp.asarray(data["x"]), jnp.asarray(data["y"])),
        "p4_step": trainer(cnn_loss, to((cnn["conv"], cnn["fc1"], cnn["fc2"])),
                           jnp.asarray(data["images"]), jnp.asarray(data["labels"])),
        "lstm": lambda: jax.block_until_ready(lstm_grad(lstm_params, sequence)),
        "tiny_op": lambda: jax.block_until_ready(tiny(a))}
    if jit:  # the P2 step's matrix products alone: how much of the jitted step is GEMM
        def products(ws, x, h1, h2, g1, g2, g3):  # forward 3, backward 5 (no dx for x)
            return [x @ ws[0].T, h1 @ ws[1].T, h2 @ ws[2].T, g3.T @ h2, g3 @ ws[2],
                    g2.T @ h1, g2 @ ws[1], g1.T @ x]
        gemms = jax.jit(products)
        ws = [jnp.asarray(w) for w, _ in mlp]
        x = jnp.asarray(data["x"])
        gs = [jnp.ones((128, n), jnp.float32) for n in (128, 64, 128, 64, 10)]
        workloads["p2_gemms_only"] = lambda: jax.block_until_ready(gemms(ws, x, *gs))
    return workloads


# ----------------------------------------------------------------------------- DeZero
def dezero_workloads(mlp, cnn, lstm, data):
    import dezero
    import dezero.functions as F
    import dezero.layers as L

    def linear(weight, bias):
        layer = L.Linear(weight.shape[0])
        layer.W, layer.b = dezero.Parameter(weight.T.copy()), dezero.Parameter(bias.copy())
        return layer

    class MLP(dezero.Model):
        def __init__(self):
            super().__init__()
            self.l1, self.l2, self.l3 = (linear(*p) for p in mlp)

        def forward(self, x):
            return self.l3(F.relu(self.l2(F.relu(self.l1(x)))))
    model = MLP()
    optimizer = dezero.optimizers.Adam(alpha=1e-3).setup(model)
    x, y = data["x"], data["y"]

    def p2_step():
        model.cleargrads()
        F.softmax_cross_entropy(model(x), y).backward()
        optimizer.update()
    a = dezero.Variable(data["a"])

    def tiny_op():
        a.cleargrad()
        F.sum(F.matmul(a, a)).backward()
    return {"p2_step": p2_step, "tiny_op": tiny_op}


# ----------------------------------------------------------------------------- tinygrad
def tinygrad_workloads(mlp, cnn, lstm, data, jit: bool):
    os.environ.setdefault("DEV", "CPU")
    from tinygrad import Context, Tensor, TinyJit, nn
    layers = []
    for weight, bias in mlp:
        layer = nn.Linear(weight.shape[1], weight.shape[0])
        layer.weight, layer.bias = Tensor(weight), Tensor(bias)
        layers.append(layer)
    params = [t for layer in layers for t in (layer.weight, layer.bias)]
    for t in params:
        t.requires_grad = True
    optimizer = nn.optim.Adam(params, lr=1e-3)
    x, y = Tensor(data["x"]), Tensor(data["y"])

    def step():
        with Context(TRAINING=1):  # tinygrad's optimizers refuse to step outside training
            optimizer.zero_grad()
            h = layers[2](layers[1](layers[0](x).relu()).relu())
            loss = h.sparse_categorical_crossentropy(y)
            loss.backward()
            optimizer.step()
        return loss
    step = TinyJit(step) if jit else step
    a = Tensor(data["a"])
    a.requires_grad = True

    def tiny():
        a.grad = None
        (a @ a).sum().backward()
        return a.grad
    tiny = TinyJit(tiny) if jit else tiny
    return {"p2_step": lambda: step().realize(), "tiny_op": lambda: tiny().realize()}


PEERS = {
    "pytorch": ("torch", torch_workloads),
    "jax_jit": ("jax", lambda *a: jax_workloads(*a, jit=True)),
    "jax_eager": ("jax", lambda *a: jax_workloads(*a, jit=False)),
    "dezero": ("dezero", dezero_workloads),
    "tinygrad_jit": ("tinygrad", lambda *a: tinygrad_workloads(*a, jit=True)),
    "tinygrad_eager": ("tinygrad", lambda *a: tinygrad_workloads(*a, jit=False)),
}


WORKLOADS = ("tiny_op", "p2_step", "p4_step", "lstm", "p2_gemms_only")


def measure_pair(peer: str, quick: bool) -> dict:
    """minigrad and one peer, interleaved in this process: {workload: {"minigrad_ms", "ms",
    "minigrad_ratio"}}.  Only two frameworks share a process, so no third one's idle threads
    (OpenMP, Eigen, OpenBLAS workers that spin after their work) take cores from the pair."""
    module, build = PEERS[peer]
    np.int = int  # DeZero 0.0.13 still names NumPy's removed alias at import
    __import__(module)
    weights = initial_weights()
    frameworks = {"minigrad": minigrad_workloads(*weights), peer: build(*weights)}
    number, repeats = (2, 3) if quick else (10, 9)
    results = {}
    for workload in WORKLOADS:
        candidates = {name: w[workload] for name, w in frameworks.items() if workload in w}
        if peer not in candidates:
            continue
        count = number * (20 if workload == "tiny_op" else 1)
        stats = compare(candidates, count, repeats, warmup=3)
        entry = {"ms": stats[peer]["median_s"] * 1e3}
        if "minigrad" in stats:
            entry["minigrad_ms"] = stats["minigrad"]["median_s"] * 1e3
            entry["minigrad_ratio"] = ratio(stats, "minigrad", peer)["median"]
        results[workload] = entry
    return results


ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}
"""Every pair runs with one thread per framework.  With all threads, two libraries' worker
pools in one process take cores from each other on 2 shared cores: PyTorch's P2 training
step measured 6.3 ms next to minigrad, against 0.95 ms alone (``bench_overhead.py``, each
framework in its own process, has it).  All-thread comparisons with PyTorch live in the
benchmarks that give each framework its own process: ``bench_overhead``, ``bench_lstm``,
``bench_transformer``, ``bench_autograd`` and ``bench_recipes``."""


def pairs(quick: bool, env: dict) -> dict:
    """Every peer against minigrad, one process per pair, under ``env``."""
    results = {}
    for peer in PEERS:
        done = subprocess.run([sys.executable, __file__, "--peer", peer] +
                              (["--quick"] if quick else []), capture_output=True, text=True,
                              env={**os.environ, **env})
        if done.returncode != 0:  # not installed, or its device missing
            reason = (done.stderr.strip().splitlines() or ["?"])[-1][:100]
            print(f"{peer}: skipped ({reason}; pip install 'minigrad[peers]')")
            continue
        for workload, entry in json.loads(done.stdout.strip().splitlines()[-1]).items():
            results.setdefault(workload, {})[peer] = entry
            if "minigrad_ratio" in entry:
                print(f"{workload}: {peer} {entry['ms']:.3f} ms, minigrad {entry['minigrad_ms']:.3f} "
                      f"ms in the same rounds: minigrad ÷ {peer} {entry['minigrad_ratio']:.2f}",
                      flush=True)
    return results


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None)
    parser.add_argument("--peer", choices=sorted(PEERS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer:  # a child: one pair, its results as the last line
        print(json.dumps(measure_pair(args.peer, args.quick)))
        return {}
    results = pairs(args.quick, ONE_THREAD)
    gemms = results.get("p2_gemms_only", {}).get("jax_jit", {}).get("ms")
    step = results.get("p2_step", {}).get("jax_jit", {}).get("ms")
    if gemms and step:
        results["jax_p2_gemm_share"] = gemms / step
        print(f"JAX's jitted P2 step: {step:.3f} ms, of which its 8 matrix products alone take "
              f"{gemms:.3f} ms ({100 * gemms / step:.0f}%); the rest is its fused elementwise "
              f"work, softmax and Adam")
    print(f"wrote {write_result('peers', {'workloads': results, 'quick': args.quick}, args.out)}")
    return results


if __name__ == "__main__":
    main()
