"""Deployment table (issue 19): P2 and P5 as float32, int8 and 50/80/90%-pruned ONNX files —
test accuracy in onnxruntime, file size (and gzip-compressed), onnxruntime CPU latency.

    python benchmarks/bench_deploy.py [--quick] [--out DIR]

Each model is trained with its recipe's settings (Fashion-MNIST when installed; --quick: a
small subset, one epoch); int8 = ``minigrad.quantization.quantize`` calibrated on 1,000
training images; pruned = ``minigrad.pruning.prune`` (global magnitude) then one epoch of
fine-tuning with the masks kept.  Latencies are onnxruntime's, one intra-op thread, the
variants timed interleaved in rounds (medians; ratios to float32 from the same rounds).
"""
from __future__ import annotations

import argparse
import copy
import gzip
import tempfile
from pathlib import Path

import numpy as np

from common import compare, ratio, write_result
from render_report import deploy_table

PRUNE_AMOUNTS = (0.5, 0.8, 0.9)


def train(recipe_key: str, quick: bool):
    """(trained model, x_train, y_train, x_test, y_test, the recipe) or None without data."""
    from minigrad.experiments import recipes
    from minigrad.nn import CrossEntropyLoss
    from minigrad.optim import Adam
    from minigrad.train import fit
    recipe = recipes.RECIPES[recipe_key]
    dataset = recipes.best_dataset()
    if recipe.kind == "cnn" and dataset == "digits":
        print(f"{recipe_key}: needs 28×28 images (apt-get install dataset-fashion-mnist); "
              f"skipped")
        return None
    data = recipes.image_data(dataset, False) if recipe.kind == "cnn" else \
        recipes.classification_data(dataset)
    x_train, y_train, x_test, y_test, _, names = data
    if quick:
        x_train, y_train, x_test, y_test = x_train[:2000], y_train[:2000], x_test[:500], \
            y_test[:500]
    recipes.manual_seed(0)
    model = recipes.build_classifier(recipe, x_train[0].size, len(names))
    fit(model, x_train, y_train, loss=CrossEntropyLoss(), epochs=1 if quick else recipe.epochs,
        optimizer=Adam(model.parameters(), lr=recipe.lr), batch_size=recipe.batch_size,
        verbose=0)
    return model.eval(), x_train, y_train, x_test, y_test, recipe, dataset


def variants(model, x_train, y_train, recipe, quick: bool) -> dict:
    """{label: model}: the float model, int8, and the pruned-then-fine-tuned ones."""
    from minigrad.nn import CrossEntropyLoss
    from minigrad.optim import Adam
    from minigrad.pruning import prune
    from minigrad.quantization import quantize
    from minigrad.train import fit
    result = {"float32": model, "int8": quantize(model, x_train[:1000])}
    for amount in PRUNE_AMOUNTS[:1] if quick else PRUNE_AMOUNTS:
        pruned = copy.deepcopy(model).train()
        pruning = prune(pruned, amount)
        fit(pruned, x_train, y_train, loss=CrossEntropyLoss(), epochs=1, verbose=0,
            optimizer=pruning.keep_pruned(Adam(pruned.parameters(), lr=recipe.lr / 2)),
            batch_size=recipe.batch_size)
        assert abs(pruning.sparsity - amount) < 1e-3, "fine-tuning revived pruned weights"
        result[f"pruned {amount:.0%}"] = pruned.eval()
    return result


def measure(models: dict, x_test, y_test, folder: Path, quick: bool) -> dict:
    from minigrad.onnx import export, run, session
    rows, sessions = {}, {}
    for label, model in models.items():
        path = folder / (label.replace(" ", "_").replace("%", "") + ".onnx")
        export(model, x_test[:2], path, dynamic_axes={"input": {0: "batch"},
                                                       "output": {0: "batch"}})
        sessions[label] = session(path, threads=1)
        predicted = np.concatenate([run(sessions[label], x_test[i:i + 1000])[0].argmax(1)
                                    for i in range(0, len(x_test), 1000)])
        data = path.read_bytes()
        rows[label] = {"accuracy": float((predicted == y_test).mean()), "bytes": len(data),
                       "gzip_bytes": len(gzip.compress(data, 9))}
    for batch, number in ((1, 50), (256, 3)):
        x = x_test[:batch]
        calls = {label: (lambda s=s: run(s, x)) for label, s in sessions.items()}
        stats = compare(calls, number, 3 if quick else 15)
        for label in models:
            rows[label][f"latency_batch{batch}_ms"] = stats[label]["median_s"] * 1e3
            rows[label][f"latency_batch{batch}_vs_float32"] = \
                ratio(stats, label, "float32")["median"]
    return rows


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    try:
        import onnx  # noqa: F401
        import onnxruntime
    except ImportError:
        print("onnx/onnxruntime are not installed (pip install -e '.[deploy]'): skipped")
        return {}
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for key in ("p2", "p5"):
            trained = train(key, args.quick)
            if trained is None:
                continue
            model, x_train, y_train, x_test, y_test, recipe, dataset = trained
            rows = measure(variants(model, x_train, y_train, recipe, args.quick), x_test,
                           y_test, Path(folder), args.quick)
            results[key] = {"dataset": dataset, "epochs": 1 if args.quick else recipe.epochs,
                            "rows": rows}
            print("\n".join(deploy_table(f"{key.upper()} ({dataset})", rows)), flush=True)
    payload = {"quick": args.quick, "threads": 1, "onnxruntime": onnxruntime.__version__,
               "results": results}
    print(f"wrote {write_result('deploy', payload, args.out)}")
    return payload


if __name__ == "__main__":
    main()
