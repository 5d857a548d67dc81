"""Running an exported file in onnxruntime (on the CPU)."""
from __future__ import annotations

import numpy as np


def session(path, threads: int | None = None, exact_int8: bool = True):
    """An onnxruntime InferenceSession for ``path`` on the CPU (``threads`` intra-op
    threads; None: onnxruntime's default).

    ``exact_int8``: on x86 CPUs without VNNI instructions (AVX2 only, e.g. many AMD EPYCs),
    onnxruntime's fused int8 kernels (QLinearConv, QGemm) add pairs of uint8 × int8 products
    in 16-bit registers, which saturate: a quantized P5 then differs from the same file run
    unfused by tens of grid steps (onnxruntime issues #14642, #16105).  The session option
    ``session.x64quantprecision`` widens those sums to 32 bits — exact, somewhat slower
    int8; ``exact_int8=False`` leaves onnxruntime's fast path."""
    from .export import require
    ort = require("onnxruntime")
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    if exact_int8:
        options.add_session_config_entry("session.x64quantprecision", "1")
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
