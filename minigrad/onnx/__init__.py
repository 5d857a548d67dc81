"""ONNX export, checked in onnxruntime: the P9 flow's "deploy" step.

``minigrad.onnx.export(model, example_input, "model.onnx", dynamic_axes=...)`` writes the
model as an ONNX graph (``export``); ``minigrad.onnx.run("model.onnx", x)`` runs a file in
onnxruntime (``runtime``).  How an op becomes ONNX nodes is one table, ``table.TABLE``.
Needs the ``deploy`` extra: ``pip install -e '.[deploy]'`` (onnx, onnxruntime).
"""
from .export import DEFAULT_OPSET, export
from .graph import OnnxExportError
from .runtime import run, session

__all__ = ["export", "run", "session", "OnnxExportError", "DEFAULT_OPSET"]
