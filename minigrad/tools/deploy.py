"""The P9 flow's last steps from the command line: export a trained run, predict with it.

``export_run(folder)`` rebuilds a run's model (``minigrad.runs``), writes it as ONNX with a
dynamic batch axis and checks onnxruntime's outputs against minigrad's on a random batch of
another size.  ``predict(model, inputs)`` runs either a run folder (minigrad, ``.npz``
weights) or an ``.onnx`` file (onnxruntime) on arrays read from ``.npy`` files or images, and
names the predicted class when the model is a classifier.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .runs import RunFolderError, example_input, load_run

ONNX_FILE = "model.onnx"


def export_run(folder, out=None, opset_version: int | None = None) -> dict:
    """Write the run's model as ONNX (default ``FOLDER/model.onnx``) and the spec beside it
    (``model.onnx.json``, so ``predict`` can read the file alone); returns the file, its
    size and the largest difference between onnxruntime and minigrad on a random batch."""
    from ..onnx import DEFAULT_OPSET, export, run
    model, spec = load_run(folder)
    out = Path(out) if out is not None else Path(folder) / ONNX_FILE
    axes = {"input": {0: "batch"}, "output": {0: "batch"}}
    export(model, example_input(spec, batch=2), out, dynamic_axes=axes,
           opset_version=opset_version or DEFAULT_OPSET)
    Path(str(out) + ".json").write_text(json.dumps(spec, indent=1))
    check = example_input(spec, batch=5, seed=1)
    expected = _logits(model(_tensor(check)))
    difference = float(np.abs(run(out, check)[0] - expected).max())
    return {"file": out, "bytes": out.stat().st_size, "max_difference": difference}


def _tensor(array):
    from ..creation import tensor
    return tensor(array)


def _logits(result) -> np.ndarray:
    from ..tensor import Tensor
    first = result[0] if isinstance(result, (tuple, list)) else result
    return first.numpy() if isinstance(first, Tensor) else np.asarray(first)


def read_inputs(paths, spec: dict) -> np.ndarray:
    """One batch from ``.npy`` files (a sample or a batch each) and images (PNG, JPEG: made
    grey and scaled to [0, 1], as the image recipes train), shaped as the model's input."""
    sample = tuple(spec["input_shape"])
    batches = []
    for path in map(Path, paths):
        if not path.is_file():
            raise FileNotFoundError(f"minigrad predict: no input file {path}")
        array = np.load(path) if path.suffix == ".npy" else _image(path)
        size = int(np.prod(sample))
        if array.size % size:
            raise ValueError(f"minigrad predict: {path} holds {array.size} values, not a "
                             f"multiple of one sample's {size} (shape {sample})")
        batches.append(array.reshape((-1, *sample)).astype(spec["input_dtype"]))
    return np.concatenate(batches)


def _image(path: Path) -> np.ndarray:
    from matplotlib import image
    pixels = np.asarray(image.imread(path), dtype=np.float32)
    if pixels.max() > 1:
        pixels = pixels / 255
    return pixels[..., :3].mean(axis=-1) if pixels.ndim == 3 else pixels


def predict(model_path, input_paths) -> list:
    """Per sample: the model's output row and, for a classifier, the predicted class name
    (one logit: positive when it is > 0).  ``model_path``: a run folder or an ``.onnx``."""
    model_path = Path(model_path)
    if model_path.suffix == ".onnx":
        spec_file = Path(str(model_path) + ".json")
        if not spec_file.is_file():
            raise RunFolderError(f"{model_path}: {spec_file.name} (written beside it by "
                                 f"minigrad export) is missing: it says the input's shape")
        spec = json.loads(spec_file.read_text())
        from ..onnx import run
        outputs = run(model_path, read_inputs(input_paths, spec))[0]
    else:
        model, spec = load_run(model_path)
        from ..autograd import no_grad
        with no_grad():
            outputs = _logits(model(_tensor(read_inputs(input_paths, spec))))
    return [{"output": row, "class": _class_of(row, spec.get("classes"))} for row in outputs]


def _class_of(row, classes):
    if not classes:
        return None
    row = np.asarray(row).reshape(-1)
    index = int(row[0] > 0) if row.size == 1 else int(row.argmax())
    return classes[index]
