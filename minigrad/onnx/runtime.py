"""Running an exported file in onnxruntime (on the CPU)."""
from __future__ import annotations

import numpy as np


def session(path, threads: int | None = None):
    """An onnxruntime InferenceSession for ``path`` on the CPU (``threads`` intra-op
    threads; None: onnxruntime's default)."""
    from .export import require
    ort = require("onnxruntime")
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run(model, *inputs):
    """Outputs of the ONNX model (a path or a session) on ``inputs`` (arrays/Tensors, in the
    order of the graph's inputs): a list of NumPy arrays."""
    from ..tensor import Tensor
    model = session(model) if not hasattr(model, "run") else model
    names = [i.name for i in model.get_inputs()]
    if len(inputs) != len(names):
        raise ValueError(f"onnx.run: the model takes {len(names)} inputs {names}; got "
                         f"{len(inputs)}")
    feed = {name: np.asarray(x.array if isinstance(x, Tensor) else x)
            for name, x in zip(names, inputs)}
    return model.run(None, feed)
