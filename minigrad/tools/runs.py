"""Run folders: what ``minigrad train`` writes, read back as a model.

A run folder holds ``weights.npz`` (the trained ``state_dict``), ``model.json`` (how to
rebuild the model: ``minigrad.experiments.recipes.model_spec``), the history, the metrics and
plots; ``minigrad export`` adds ``model.onnx``.  ``load_run`` rebuilds the model and loads
its weights: the first half of the P9 flow's train → save → load → predict.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

MODEL_FILE, WEIGHTS_FILE = "model.json", "weights.npz"


class RunFolderError(ValueError):
    """A folder that is not a (complete) run folder, or one whose model cannot be rebuilt."""


def write_spec(folder: Path, spec: dict, recipe: str) -> None:
    (Path(folder) / MODEL_FILE).write_text(json.dumps(dict(spec, recipe=recipe), indent=1))


def read_spec(folder) -> dict:
    folder = Path(folder)
    path = folder / MODEL_FILE
    if not path.is_file():
        if (folder / WEIGHTS_FILE).is_file():
            raise RunFolderError(f"{folder}: {MODEL_FILE} is missing: the run has weights but "
                                 f"no model to rebuild (p7 trains bare tensors, not a Module; "
                                 f"or the run is older than minigrad export: train it again)")
        present = "no such folder" if not folder.is_dir() else \
            f"it holds {sorted(p.name for p in folder.iterdir())}"
        raise RunFolderError(f"{folder} is not a run folder of a model: {MODEL_FILE} is "
                             f"missing ({present}); make one with minigrad train RECIPE --out "
                             f"runs")
    return json.loads(path.read_text())


def load_run(folder):
    """(the trained model in eval mode, its spec) from a run folder."""
    from .experiments.recipes import build_model
    from ..serialization import load
    folder = Path(folder)
    spec = read_spec(folder)
    model = build_model(spec)
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise RunFolderError(f"{folder}: {WEIGHTS_FILE} is missing")
    model.load_state_dict(load(weights))
    return model.eval(), spec


def example_input(spec: dict, batch: int = 2, seed: int = 0) -> np.ndarray:
    """A random batch shaped like the model's input: values in [0, 1) for floats, token ids
    in [1, vocabulary) for integers."""
    rng = np.random.default_rng(seed)
    shape = (batch, *spec["input_shape"])
    if spec["input_dtype"].startswith("int"):
        high = spec["arguments"].get("vocabulary", 10)
        return rng.integers(1, max(high, 2), shape).astype(spec["input_dtype"])
    return rng.random(shape).astype(spec["input_dtype"])
