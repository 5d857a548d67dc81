"""Seed recipes trained end to end by minigrad and by PyTorch on the same data, same recipe.

For each case, each framework runs in its own fresh process (so that one's memory and threads
do not disturb the other), alternating, ``--repeats`` times with seeds 0, 1, ...  Accuracy is
the median over those seeds.  Each run reports its test
accuracy, its time per epoch (median over epochs) and its peak resident memory, both in total
and above the process's size after the imports and the data load (the training's own memory).

Cases: every seed twin (P1, P2, P3a, P3b, P4, P5 on Fashion-MNIST — the CNNs for 2 epochs;
P6 on the generated house prices; P7's explicit tape loop on its generated data; P8 on real
text, two fortune categories, and its multi-class variant on five) and the row-by-row LSTM on Fashion-MNIST.  Targets (issue 4), P2 on Fashion-MNIST: accuracy within 1
point of PyTorch's, time per epoch within 1.15x, peak memory within 1.5x.

    python benchmarks/bench_recipes.py [--quick] [--case p2|...|all] [--repeats N] [--out DIR]
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

from common import write_result

HERE = Path(__file__).resolve()


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------- the cases


class EpochTimer:
    """A fit callback (also used by hand in the PyTorch loops) recording each epoch's seconds."""

    stop_training = False

    def __init__(self):
        self.times, self.start = [], time.perf_counter()

    def on_epoch_end(self, *args):
        now = time.perf_counter()
        self.times.append(now - self.start)
        self.start = now

    def on_train_end(self, *args):
        pass


def classifier_data(key: str, quick: bool):
    """Fashion-MNIST prepared as the recipe wants it (one-hot targets for P2, (N, 1, 28, 28)
    images for the CNNs)."""
    from minigrad.data.preprocessing import to_categorical
    from minigrad.experiments.recipes import RECIPES, classification_data, image_data
    recipe = RECIPES[key]
    x, y, xt, yt, _, names = (image_data("fashion-mnist", recipe.extra.get("normalize", False))
                              if recipe.kind == "cnn" else classification_data("fashion-mnist"))
    if quick:
        x, y, xt, yt = x[:6000], y[:6000], xt[:2000], yt[:2000]
    return x, (to_categorical(y, len(names)) if RECIPES[key].one_hot else y), xt, yt


def classifier_minigrad(key: str, data, epochs: int, seed: int) -> dict:
    """The recipe through minigrad's fit, exactly as ``minigrad.experiments.recipes`` runs it."""
    import minigrad as mg
    from minigrad import nn
    from minigrad.experiments.recipes import RECIPES, build_classifier
    from minigrad.train import fit, predict
    recipe, (x, y, xt, yt) = RECIPES[key], data
    mg.manual_seed(seed)
    model = build_classifier(recipe, x[0].size, 10)
    timer = EpochTimer()
    fit(model, x, y, loss=nn.CrossEntropyLoss(), optimizer=mg.optim.Adam(model.parameters()),
        epochs=epochs, batch_size=recipe.batch_size, validation_split=recipe.validation_split,
        verbose=0, callbacks=[timer], seed=seed)
    return {"test_accuracy": float((predict(model, xt).argmax(1) == yt).mean()),
            "epoch_s": timer.times}


def torch_model(recipe):
    """The recipe's model in PyTorch (the seed's own P4 listing is PyTorch, fixed to 32·13·13)."""
    import torch
    nn = torch.nn
    if recipe.key == "p4":
        return nn.Sequential(nn.Conv2d(1, 32, 3, 1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(32 * 13 * 13, 128), nn.ReLU(), nn.Linear(128, 10))
    if recipe.key == "p5":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3),
                             nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(64, 64, 3), nn.ReLU(),
                             nn.Flatten(), nn.Linear(576, 64), nn.ReLU(), nn.Linear(64, 10))
    layers, width = [], 784
    for size in recipe.hidden:
        layers += [nn.Linear(width, size), nn.ReLU()]
        width = size
    return nn.Sequential(*layers, nn.Linear(width, 10))


def classifier_torch(key: str, data, epochs: int, seed: int) -> dict:
    """The same recipe as an idiomatic PyTorch loop: same split, batch size, shuffling per
    epoch, Adam defaults, a validation pass each epoch when the recipe has one."""
    import torch
    from minigrad.experiments.recipes import RECIPES
    recipe = RECIPES[key]
    torch.manual_seed(seed)
    return _torch_loop(torch_model(recipe), torch.nn.CrossEntropyLoss(), data,
                       recipe.batch_size, recipe.validation_split, epochs, seed,
                       lambda out: out.argmax(1))


def p6_data(quick: bool):
    from minigrad.data import house_prices
    return house_prices(120, seed=0)


def recipe_minigrad(key: str, metric: str, data, epochs: int, seed: int) -> dict:
    """A regression twin through ``minigrad.experiments.recipes.run_recipe``; time per epoch averaged."""
    from minigrad.experiments.recipes import run_recipe
    start = time.perf_counter()
    result = run_recipe(key, epochs=epochs, seed=seed, verbose=0)
    return {metric: result["metrics"][metric],
            "epoch_s": [(time.perf_counter() - start) / epochs]}


def p6_torch(data, epochs: int, seed: int) -> dict:
    """Dense(1) with SGD(lr=0.01), batches of 32, on the first 100 samples; MSE on the last 20."""
    import torch
    x, y = (torch.from_numpy(a) for a in data)
    torch.manual_seed(seed)
    model = torch.nn.Linear(1, 1)
    optimizer, loss_fn = torch.optim.SGD(model.parameters(), lr=0.01), torch.nn.MSELoss()
    generator = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    for _ in range(epochs):
        for index in torch.randperm(100, generator=generator).split(32):
            loss = loss_fn(model(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        test_mse = loss_fn(model(x[100:]), y[100:]).item()
    return {"test_mse": test_mse, "epoch_s": [(time.perf_counter() - start) / epochs]}


def p7_data(quick: bool):
    from minigrad.experiments.recipes import tape_data
    return tape_data(0)


def p7_torch(data, epochs: int, seed: int) -> dict:
    """The seed's loop with raw tensors: W1 (3x2), b1, W2 (2x1), b2, ReLU, MSE, Adam(1e-3)."""
    import torch
    from minigrad.experiments.recipes import tape_data
    x, y = (torch.from_numpy(a) for a in tape_data(seed))
    torch.manual_seed(seed)
    W1, b1 = torch.randn(3, 2, requires_grad=True), torch.zeros(2, requires_grad=True)
    W2, b2 = torch.randn(2, 1, requires_grad=True), torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.Adam([W1, b1, W2, b2], lr=1e-3)
    start = time.perf_counter()
    for _ in range(epochs):
        loss = ((torch.relu(x @ W1 + b1) @ W2 + b2 - y) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return {"final_mse": loss.item(), "epoch_s": [(time.perf_counter() - start) / epochs]}


def p8_data(key: str, quick: bool):
    """The fortune quotations of recipe ``key``'s categories (quick: the first fifth), with
    the targets its head trains on: (x, y, x_test, labels_test, vocabulary, classes)."""
    from minigrad.data import fortune_sequences
    from minigrad.experiments.recipes import RECIPES, text_head
    sequences, labels, tokenizer, names = fortune_sequences(RECIPES[key].extra["categories"])
    if quick:
        sequences, labels = sequences[:len(labels) // 5], labels[:len(labels) // 5]
    cut, targets = int(0.8 * len(labels)), text_head(len(names))[2]
    return (sequences[:cut], targets(labels[:cut]), sequences[cut:], labels[cut:],
            len(tokenizer.word_index), len(names))


def p8_minigrad(data, epochs: int, seed: int) -> dict:
    import minigrad as mg
    from minigrad.experiments.recipes import SentimentLSTM, text_head
    from minigrad.train import fit, predict
    x, y, xt, yt, vocabulary, classes = data
    outputs, loss, _, decide = text_head(classes)
    mg.manual_seed(seed)
    model = SentimentLSTM(vocabulary, outputs=outputs)
    timer = EpochTimer()
    fit(model, x, y, loss=loss, optimizer=mg.optim.Adam(model.parameters()), epochs=epochs,
        batch_size=32, validation_split=0.2, verbose=0, callbacks=[timer], seed=seed)
    return {"test_accuracy": float((decide(predict(model, xt)) == yt).mean()),
            "epoch_s": timer.times}


def p8_torch(data, epochs: int, seed: int) -> dict:
    """P8 in PyTorch.  PyTorch's LSTM has no recurrent dropout: here only the embedded inputs
    get dropout 0.2 (a fresh mask per step), the closest built-in equivalent."""
    import torch
    x, y, xt, yt, vocabulary, classes = data
    outputs = 1 if classes == 2 else classes   # as minigrad's text_head
    torch.manual_seed(seed)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(vocabulary + 1, 64, padding_idx=0)
            self.dropout = torch.nn.Dropout(0.2)
            self.lstm = torch.nn.LSTM(64, 128, batch_first=True)
            self.dense = torch.nn.Linear(128, outputs)

        def forward(self, tokens):
            _, (h, _) = self.lstm(self.dropout(self.embedding(tokens)))
            return self.dense(h[-1])
    if outputs == 1:
        return _torch_loop(Net(), torch.nn.BCEWithLogitsLoss(), (x, y, xt, yt), 32, 0.2,
                           epochs, seed, lambda out: (out[:, 0] > 0).long())
    return _torch_loop(Net(), torch.nn.CrossEntropyLoss(), (x, y, xt, yt), 32, 0.2, epochs,
                       seed, lambda out: out.argmax(1))


def rows_data(quick: bool):
    x, y, xt, yt = classifier_data("p2", quick)
    y = y.argmax(1)  # p2's one-hot rows back to labels
    return x.reshape(-1, 28, 28), y, xt.reshape(-1, 28, 28), yt


def rows_minigrad(data, epochs: int, seed: int) -> dict:
    import minigrad as mg
    from minigrad import nn
    from minigrad.experiments.recipes import RowLSTM
    from minigrad.train import fit, predict
    x, y, xt, yt = data
    mg.manual_seed(seed)
    model = RowLSTM()
    timer = EpochTimer()
    fit(model, x, y, loss=nn.CrossEntropyLoss(), optimizer=mg.optim.Adam(model.parameters()),
        epochs=epochs, batch_size=128, verbose=0, callbacks=[timer], seed=seed)
    return {"test_accuracy": float((predict(model, xt).argmax(1) == yt).mean()),
            "epoch_s": timer.times}


def rows_torch(data, epochs: int, seed: int) -> dict:
    import torch
    torch.manual_seed(seed)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(28, 128, batch_first=True)
            self.head = torch.nn.Linear(128, 10)

        def forward(self, images):
            return self.head(self.lstm(images)[1][0][-1])
    return _torch_loop(Net(), torch.nn.CrossEntropyLoss(), data, 128, 0.0, epochs, seed,
                       lambda out: out.argmax(1))


def _torch_loop(model, loss_fn, data, batch_size, validation_split, epochs, seed, decide):
    """Shuffled mini-batch Adam training with the Keras split, then test accuracy."""
    import torch
    x, y, xt, yt = (torch.from_numpy(np.asarray(a)) for a in data[:4])  # shares memory
    optimizer = torch.optim.Adam(model.parameters())
    cut = len(x) - int(len(x) * validation_split)
    generator = torch.Generator().manual_seed(seed)
    timer = EpochTimer()
    for _ in range(epochs):
        model.train()
        for index in torch.randperm(cut, generator=generator).split(batch_size):
            loss = loss_fn(model(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            for index in torch.arange(cut, len(x)).split(256):
                loss_fn(model(x[index]), y[index]).item()
        timer.on_epoch_end()
    with torch.no_grad():
        accuracy = (decide(model(xt)) == yt).float().mean().item()
    return {"test_accuracy": accuracy, "epoch_s": timer.times}


def gan_minigrad(data, epochs: int, seed: int) -> dict:
    """The 8-Gaussian GAN (minigrad only: its quality measures are mode coverage and the
    samples' mean distance to the nearest mode), with each of its three losses."""
    from minigrad.experiments.recipes import run_recipe
    start = time.perf_counter()
    metrics = run_recipe("gan-2d", epochs=epochs, seed=seed, verbose=0)["metrics"]
    others = {f"{name} {measure}": metrics[f"{name}_{measure}"]
              for name in ("minimax", "wgan_gp")
              for measure in ("modes_covered", "mean_distance_to_mode")}
    return {"modes_covered": metrics["non_saturating_modes_covered"],
            "mean_distance_to_mode": metrics["non_saturating_mean_distance_to_mode"],
            **others, "epoch_s": [(time.perf_counter() - start) / epochs]}


def attention_minigrad(key: str, metric: str, data, epochs: int, seed: int) -> dict:
    """A self-attention experiment (minigrad only; it reports both of its contenders)."""
    from minigrad.experiments.recipes import run_recipe
    start = time.perf_counter()
    metrics = run_recipe(key, epochs=epochs, seed=seed, verbose=0)["metrics"]
    return {**metrics, "epoch_s": [(time.perf_counter() - start) / epochs]}


def classifier_case(key: str) -> dict:
    return {"data": partial(classifier_data, key), "minigrad": partial(classifier_minigrad, key),
            "torch": partial(classifier_torch, key), "metric": "test_accuracy"}


def _cases() -> dict:
    from minigrad.experiments.recipes import RECIPES
    cases = {key: dict(classifier_case(key), epochs=r.epochs) for key, r in RECIPES.items()
             if r.kind == "classifier" or key in ("p4", "p5")}
    for key in ("p4", "p5"):  # 2 epochs, as the PyTorch reference was measured
        cases[key].update(epochs=2, targets={"accuracy_points": 1.0, "epoch_time": 1.5})
    cases["p6"] = {"data": p6_data, "minigrad": partial(recipe_minigrad, "p6", "test_mse"),
                   "torch": p6_torch,
                   "metric": "test_mse", "epochs": RECIPES["p6"].epochs}
    cases["p7"] = {"data": p7_data, "minigrad": partial(recipe_minigrad, "p7", "final_mse"),
                   "torch": p7_torch,
                   "metric": "final_mse", "epochs": RECIPES["p7"].epochs}
    for key in ("p8", "p8-topics"):
        cases[key] = {"data": partial(p8_data, key), "minigrad": p8_minigrad,
                      "torch": p8_torch, "metric": "test_accuracy",
                      "epochs": RECIPES[key].epochs,
                      "data_name": "fortune quotations, " + " vs ".join(
                          RECIPES[key].extra["categories"])}
    cases["lstm-rows"] = {"data": rows_data, "minigrad": rows_minigrad, "torch": rows_torch,
                          "metric": "test_accuracy", "epochs": RECIPES["lstm-rows"].epochs}
    cases["gan-2d"] = {"data": lambda quick: None, "minigrad": gan_minigrad,
                       "metric": "modes_covered", "epochs": RECIPES["gan-2d"].epochs,
                       "data_name": "8 Gaussians (generated)"}
    cases["reverse"] = {"data": lambda quick: None, "epochs": RECIPES["reverse"].epochs,
                        "minigrad": partial(attention_minigrad, "reverse",
                                            "transformer_token_accuracy"),
                        "metric": "transformer_token_accuracy",
                        "data_name": "random 32-token sequences"}
    cases["pretrain"] = {"data": lambda quick: None, "epochs": RECIPES["pretrain"].epochs,
                         "minigrad": partial(attention_minigrad, "pretrain",
                                             "pretrained_all_labels"),
                         "metric": "pretrained_all_labels",
                         "data_name": "fortune quotations (all, then computers vs men-women)"}
    for key, name in (("p6", "house prices (generated)"), ("p7", "generated")):
        cases[key]["data_name"] = name
    cases["p2"]["targets"] = {"accuracy_points": 1.0, "epoch_time": 1.15, "peak_memory": 1.5}
    return cases


CASES = _cases()


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


def summarize(runs: list, metric: str) -> dict:
    epoch_times = [statistics.median(r["epoch_s"]) for r in runs]
    others = [k for k, v in runs[0].items() if isinstance(v, (int, float)) and k != metric
              and not k.endswith("_mb")]
    return {metric: statistics.median(r[metric] for r in runs),
            "also": {k: statistics.median(r[k] for r in runs) for k in others},
            f"{metric}_runs": [r[metric] for r in runs],
            "epoch_s": statistics.median(epoch_times), "epoch_s_runs": epoch_times,
            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
            "training_rss_mb": statistics.median(r["peak_rss_mb"] - r["baseline_rss_mb"]
                                                 for r in runs)}


def bench_case(case: str, frameworks: list, quick: bool, repeats: int, epochs: int | None,
               out) -> dict:
    """Run one case for every framework, ``repeats`` seeds each; print and write the result."""
    spec = CASES[case]
    epochs = epochs or (min(2, spec["epochs"]) if quick else spec["epochs"])
    frameworks = [f for f in frameworks if f in spec]  # some cases have no PyTorch twin
    runs = {f: [] for f in frameworks}
    for seed in range(repeats):  # a different seed per repeat, the same for both frameworks
        for framework in frameworks:
            runs[framework].append(run_child(case, framework, quick, epochs, seed))
    metric = spec["metric"]
    result = {f: summarize(r, metric) for f, r in runs.items()}
    result.update(case=case, metric=metric, epochs=epochs, repeats=repeats, quick=quick,
                  targets=spec.get("targets"), data_name=spec.get("data_name", "Fashion-MNIST"))
    if "torch" in result:
        ours, theirs = result["minigrad"], result["torch"]
        quality = ({"accuracy_points": 100 * (ours[metric] - theirs[metric])}
                   if metric == "test_accuracy" else {"mse_ratio": ours[metric] / theirs[metric]})
        result["ratios"] = {**quality, "epoch_time": ours["epoch_s"] / theirs["epoch_s"],
                            "peak_memory": ours["peak_rss_mb"] / theirs["peak_rss_mb"]}
    for framework in frameworks:
        r = result[framework]
        print(f"{case:<4} {framework:<9} {metric} {r[metric]:.4f}  epoch {r['epoch_s']:.3f} s  "
              f"peak RSS {r['peak_rss_mb']:.0f} MiB (training {r['training_rss_mb']:.0f} MiB)")
    if "ratios" in result:
        print(f"{case:<4} ratios:", {k: round(v, 3) for k, v in result["ratios"].items()})
    print(f"wrote {write_result(f'recipes_{case}', result, out)}")
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data, 2 epochs")
    parser.add_argument("--case", default="p2", choices=sorted(CASES) + ["all"])
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--child", choices=["minigrad", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.case, args.child, args.quick, args.epochs, args.seed)
    try:
        import torch  # noqa: F401
        frameworks = ["minigrad", "torch"]
    except ImportError:
        print("PyTorch is not installed: only minigrad is measured (pip install 'minigrad[ref]')")
        frameworks = ["minigrad"]
    repeats = args.repeats or (1 if args.quick else 3)
    cases = sorted(CASES) if args.case == "all" else [args.case]
    return {case: bench_case(case, frameworks, args.quick, repeats, args.epochs, args.out)
            for case in cases}


if __name__ == "__main__":
    main()
