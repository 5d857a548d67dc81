"""Seed recipes trained end to end by minigrad and by PyTorch on the same data, same recipe.

For each case, each framework runs in its own fresh process (so that one's memory and threads
do not disturb the other), alternating, ``--repeats`` times with seeds 0, 1, ...  Accuracy is
the median over those seeds.  Each run reports its test
accuracy, its time per epoch (median over epochs) and its peak resident memory, both in total
and above the process's size after the imports and the data load (the training's own memory).

Targets (issue 4), P2 on Fashion-MNIST: accuracy within 1 point of PyTorch's, time per epoch
within 1.15x, peak memory within 1.5x.

    python benchmarks/bench_recipes.py [--quick] [--case p2] [--repeats N] [--out DIR]
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from common import write_result

HERE = Path(__file__).resolve()


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------- the P2 case


def p2_data(quick: bool):
    from minigrad.data import fashion_mnist
    from minigrad.data.preprocessing import to_categorical
    (x, y), (xt, yt) = fashion_mnist(), fashion_mnist(train=False)
    if quick:
        x, y, xt, yt = x[:6000], y[:6000], xt[:2000], yt[:2000]
    flat = lambda a: (a.reshape(len(a), -1) / np.float32(255)).astype(np.float32)  # noqa: E731
    return flat(x), to_categorical(y, 10), flat(xt), yt


def p2_minigrad(data, epochs: int, seed: int) -> dict:
    """The recipe through minigrad's fit (minigrad.recipes uses the same calls)."""
    import minigrad as mg
    from minigrad import nn
    from minigrad.train import fit, predict
    from minigrad.recipes import mlp
    x, y, xt, yt = data
    mg.manual_seed(seed)
    model = mlp(784, (128, 64), 10)
    timer = EpochTimer()
    fit(model, x, y, loss=nn.CrossEntropyLoss(), optimizer=mg.optim.Adam(model.parameters()),
        epochs=epochs, batch_size=128, validation_split=0.2, verbose=0, callbacks=[timer],
        seed=seed)
    return {"test_accuracy": float((predict(model, xt).argmax(1) == yt).mean()),
            "epoch_s": timer.times}


class EpochTimer:
    """A fit callback (also used by hand in the PyTorch loop) recording each epoch's seconds."""

    stop_training = False

    def __init__(self):
        self.times, self.start = [], time.perf_counter()

    def on_epoch_end(self, *args):
        now = time.perf_counter()
        self.times.append(now - self.start)
        self.start = now

    def on_train_end(self, *args):
        pass


def p2_torch(data, epochs: int, seed: int) -> dict:
    """The same recipe as an idiomatic PyTorch loop: same split, batch size, shuffling per
    epoch, Adam defaults, validation pass each epoch."""
    import torch
    x, y, xt, yt = (torch.from_numpy(a) for a in data)  # shares memory, like minigrad
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()
    cut = len(x) - int(len(x) * 0.2)
    x_train, y_train, x_val, y_val = x[:cut], y[:cut], x[cut:], y[cut:]
    generator = torch.Generator().manual_seed(seed)
    timer = EpochTimer()
    for _ in range(epochs):
        model.train()
        for index in torch.randperm(cut, generator=generator).split(128):
            loss = loss_fn(model(x_train[index]), y_train[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            for index in torch.arange(len(x_val)).split(256):
                loss_fn(model(x_val[index]), y_val[index]).item()
        timer.on_epoch_end()
    with torch.no_grad():
        accuracy = (model(xt).argmax(1) == yt).float().mean().item()
    return {"test_accuracy": accuracy, "epoch_s": timer.times}


CASES = {"p2": {"data": p2_data, "minigrad": p2_minigrad, "torch": p2_torch, "epochs": 5,
                "targets": {"accuracy_points": 1.0, "epoch_time": 1.15, "peak_memory": 1.5}}}


# ----------------------------------------------------------------------------- driver


def child(case: str, framework: str, quick: bool, epochs: int, seed: int) -> None:
    """Run one framework on one case in this process and print one JSON line."""
    if framework == "torch":
        import torch  # noqa: F401  (imported before the baseline, like minigrad below)
    import minigrad  # noqa: F401
    spec = CASES[case]
    data = spec["data"](quick)
    baseline = rss_mb()
    result = spec[framework](data, epochs, seed)
    result.update(peak_rss_mb=rss_mb(), baseline_rss_mb=baseline)
    print(json.dumps(result))


def run_child(case: str, framework: str, quick: bool, epochs: int, seed: int) -> dict:
    command = [sys.executable, str(HERE), "--child", framework, "--case", case,
               "--epochs", str(epochs), "--seed", str(seed)] + (["--quick"] if quick else [])
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{framework} run failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def summarize(runs: list) -> dict:
    epoch_times = [statistics.median(r["epoch_s"]) for r in runs]
    return {"test_accuracy": statistics.median(r["test_accuracy"] for r in runs),
            "epoch_s": statistics.median(epoch_times), "epoch_s_runs": epoch_times,
            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
            "training_rss_mb": statistics.median(r["peak_rss_mb"] - r["baseline_rss_mb"]
                                                 for r in runs)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data, 2 epochs")
    parser.add_argument("--case", default="p2", choices=sorted(CASES))
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--child", choices=["minigrad", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    spec = CASES[args.case]
    epochs = args.epochs or (2 if args.quick else spec["epochs"])
    if args.child:
        return child(args.case, args.child, args.quick, epochs, args.seed)
    try:
        import torch  # noqa: F401
        frameworks = ["minigrad", "torch"]
    except ImportError:
        print("PyTorch is not installed: only minigrad is measured (pip install 'minigrad[ref]')")
        frameworks = ["minigrad"]
    repeats = args.repeats or (1 if args.quick else 3)
    runs = {f: [] for f in frameworks}
    for seed in range(repeats):  # a different seed per repeat, the same for both frameworks
        for framework in frameworks:
            runs[framework].append(run_child(args.case, framework, args.quick, epochs, seed))
    result = {f: summarize(r) for f, r in runs.items()}
    result.update(case=args.case, epochs=epochs, repeats=repeats, quick=args.quick,
                  targets=spec["targets"])
    if "torch" in result:
        ours, theirs = result["minigrad"], result["torch"]
        result["ratios"] = {
            "accuracy_points": 100 * (ours["test_accuracy"] - theirs["test_accuracy"]),
            "epoch_time": ours["epoch_s"] / theirs["epoch_s"],
            "peak_memory": ours["peak_rss_mb"] / theirs["peak_rss_mb"],
            "training_memory": ours["training_rss_mb"] / max(theirs["training_rss_mb"], 1e-9)}
    for framework in frameworks:
        r = result[framework]
        print(f"{framework:<9} test accuracy {r['test_accuracy']:.4f}  epoch {r['epoch_s']:.3f} s  "
              f"peak RSS {r['peak_rss_mb']:.0f} MiB (training {r['training_rss_mb']:.0f} MiB)")
    if "ratios" in result:
        print("ratios:", {k: round(v, 3) for k, v in result["ratios"].items()})
    print(f"wrote {write_result(f'recipes_{args.case}', result, args.out)}")
    return result


if __name__ == "__main__":
    main()
