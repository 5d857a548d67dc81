"""``export(model, example_input, path)``: a minigrad model as an ONNX file.

How it works, in four steps:

1. **Trace.**  Run the model (in eval mode, as PyTorch exports) on the example and record
   every op it runs (``minigrad.onnx.trace``).
2. **Trace again, one size larger.**  Run it a second time with each dynamic axis a little
   longer and the values changed.  A shape that differs between the two runs depends on the
   batch (or sequence) size and is written as a computation on the input's shape; a constant
   that differs was computed from the input outside minigrad's ops, and ONNX would freeze it:
   that is an error, not a silently wrong file.
3. **Map.**  Each op is written as ONNX nodes by its entry in ``minigrad.onnx.table``; the
   parameters become initializers named as in ``model.state_dict()``.
4. **Check and write.**  ``onnx.checker`` validates the model; the file is written like a
   checkpoint (``serialization.write_atomically``), so a failed export never leaves a
   partial file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..serialization import write_atomically
from ..tensor import Tensor
from .graph import GraphBuilder, OnnxExportError
from .trace import Call, trace

DEFAULT_OPSET = 17
"""LayerNormalization and per-channel DequantizeLinear need 17 and 13; onnxruntime runs it."""


def require(module: str):
    """Import ``onnx`` or ``onnxruntime``, or say how to install them."""
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{module} is not installed: pip install -e '.[deploy]' (or pip "
                          f"install onnx onnxruntime) to export and run ONNX models") from None


def export(model, example_input, path, input_names=None, output_names=None,
           dynamic_axes=None, opset_version: int = DEFAULT_OPSET):
    """Write ``model`` as an ONNX file at ``path`` (PyTorch's ``torch.onnx.export``
    arguments); returns the ``onnx.ModelProto``.

    ``example_input``: a Tensor/array or a tuple of them, the model's positional inputs.
    ``dynamic_axes``: ``{"input": {0: "batch"}, "output": {0: "batch"}}`` (or lists of axes)
    names the axes that may change size; the others are fixed to the example's sizes."""
    onnx = require("onnx")
    if not 13 <= opset_version <= onnx.defs.onnx_opset_version():
        raise OnnxExportError(f"onnx.export: opset_version {opset_version} is not supported "
                              f"(13..{onnx.defs.onnx_opset_version()})")
    inputs = _as_tensors(example_input)
    input_names = list(input_names or (["input"] if len(inputs) == 1 else
                                       [f"input_{i}" for i in range(len(inputs))]))
    if len(input_names) != len(inputs):
        raise OnnxExportError(f"onnx.export: {len(input_names)} input_names for "
                              f"{len(inputs)} inputs")
    dynamic = _dynamic_axes(dynamic_axes, inputs, input_names)
    first, second, symbols = _two_traces(model, inputs, input_names, dynamic)
    output_names = list(output_names or (["output"] if len(first.outputs) == 1 else
                                         [f"output_{i}" for i in range(len(first.outputs))]))
    if len(output_names) != len(first.outputs):
        raise OnnxExportError(f"onnx.export: {len(output_names)} output_names for the model's "
                              f"{len(first.outputs)} outputs")
    builder = GraphBuilder(opset_version, symbols)
    values = _Values(builder, model, inputs, input_names)
    for call, other in zip(first.calls, second.calls):
        values.emit(call, other)
    proto = _model(onnx, builder, values, first, second, input_names, output_names, dynamic,
                   symbols, opset_version)
    onnx.checker.check_model(proto, full_check=True)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, lambda file: file.write(proto.SerializeToString()))
    return proto


def _as_tensors(example_input) -> tuple:
    items = example_input if isinstance(example_input, (tuple, list)) else (example_input,)
    return tuple(t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in items)


def _dynamic_axes(dynamic_axes, inputs, input_names) -> dict:
    """{name: {axis: dim name}} from PyTorch's forms (a dict or a list of axes per name)."""
    dynamic = {}
    for name, axes in (dynamic_axes or {}).items():
        axes = axes if isinstance(axes, dict) else {a: f"{name}_dim{a}" for a in axes}
        dynamic[name] = {int(a): str(label) for a, label in axes.items()}
    for name, tensor in zip(input_names, inputs):
        for axis in dynamic.get(name, {}):
            if not 0 <= axis < tensor.ndim:
                raise OnnxExportError(f"onnx.export: dynamic axis {axis} of input {name!r} is "
                                      f"out of range for its shape {tuple(tensor.shape)}")
    return dynamic


def _two_traces(model, inputs, input_names, dynamic):
    """Trace on the example and on a variant (dynamic axes longer, values changed); returns
    both traces and the size pairs that identify each dynamic axis."""
    labels = sorted({label for axes in dynamic.values() for label in axes.values()})
    growth = {label: k + 1 for k, label in enumerate(labels)}  # distinct: pairs never collide
    variants, symbols = [], {}
    for name, tensor in zip(input_names, inputs):
        array = tensor.array
        for axis, label in sorted(dynamic.get(name, {}).items()):
            size = array.shape[axis]
            grown = np.take(array, np.arange(size + growth[label]) % size, axis=axis)
            symbols.setdefault((size, grown.shape[axis]), (name, axis))
            array = grown
        variants.append(Tensor(_changed_values(array)))
    was_training = model.training
    model.eval()
    try:
        first = trace(model, inputs)
        second = trace(model, tuple(variants))
    finally:
        model.train(was_training)
    if [c.function for c in first.calls] != [c.function for c in second.calls]:
        raise OnnxExportError("onnx.export: the model ran different ops for a second input "
                              "(its control flow depends on the input's values or sizes); "
                              "ONNX export records one fixed sequence of ops")
    return first, second, symbols


def _changed_values(array):
    """Other values of the same kind: floats scaled and shifted, integers and booleans
    rotated (so indices stay valid)."""
    if array.dtype.kind == "f":
        return (array * 0.75 + 0.25).astype(array.dtype)
    return np.roll(array.reshape(-1), 1).reshape(array.shape) if array.size else array.copy()


@dataclass
class Node:
    """One op for its table entry: ``inputs`` has an ONNX name per array argument and the
    raw value of every other argument; ``call``/``other`` are the op in the two runs."""

    call: Call
    other: Call
    inputs: list
    values: "_Values"

    def setting(self, name: str, position: int, default=None):
        """A setting given by keyword (``options``) or by position in ``args``."""
        if name in self.call.options:
            return self.call.options[name]
        return self.call.args[position] if position < len(self.call.args) else default

    @property
    def options(self) -> dict:
        return self.call.options

    @property
    def out_dtype(self):
        return self.call.out.dtype

    @property
    def out_shape(self) -> tuple:
        return tuple(self.call.out.shape)

    def arg(self, i: int):
        """Argument ``i`` as the first run gave it (an array for Tensors)."""
        value = self.call.args[i] if i < len(self.call.args) else None
        return value.array if isinstance(value, Tensor) else value

    def dtype(self, i: int):
        value = self.arg(i)
        return getattr(value, "dtype", None)

    @property
    def name(self) -> str:
        return self.call.function.__name__

    def producer(self, i: int):
        """The Call that computed argument ``i`` and the ONNX names of that call's array
        arguments, or (None, None) for an input, a parameter or a constant."""
        value = self.call.args[i]
        array = value.array if isinstance(value, Tensor) else value
        call = self.values.producers.get(id(array))
        if call is None:
            return None, None
        names = [self.values.names.get(id(a.array if isinstance(a, Tensor) else a))
                 for a in call.args]
        return call, names


class _Values:
    """Which ONNX name holds each array the model computed (by the array's identity)."""

    def __init__(self, builder: GraphBuilder, model, inputs, input_names):
        self.builder = builder
        self.names = {id(t.array): name for t, name in zip(inputs, input_names)}
        self.producers = {}  # id(array) -> the Call that computed it
        self.parameters = {}
        for name, tensor in list(model.named_parameters()) + list(model.named_buffers()):
            if tensor is not None:
                self.parameters.setdefault(id(tensor.array), (name, tensor.array))

    def emit(self, call: Call, other: Call) -> None:
        from ..ops.activations import POINTWISE_OPS
        from .table import TABLE, entry_of
        entry = entry_of(call.function)
        if entry is None:
            known = set(TABLE) | {op for op in POINTWISE_OPS if op.onnx}
            raise OnnxExportError(
                f"onnx.export: the op {call.function.__name__} has no ONNX mapping (ops with "
                f"one: {', '.join(sorted(f.__name__ for f in known))})")
        for key, value in call.options.items():
            if key not in entry.dynamic_options and not _same(value, other.options.get(key)):
                raise OnnxExportError(
                    f"onnx.export: the setting {key}={_short(value)} of {call.function.__name__}"
                    f" changes with the input ({_short(other.options.get(key))} for a larger "
                    f"or different input), so ONNX would freeze it")
        inputs = [self.resolve(call, other, k) for k in range(len(call.args))]
        name = entry(self.builder, Node(call, other, inputs, self))
        self.names[id(call.out.array)] = name
        self.producers[id(call.out.array)] = call

    def resolve(self, call: Call, other: Call, k: int):
        """Argument ``k`` as an ONNX name (arrays) or its raw value (everything else)."""
        value = call.args[k]
        array = value.array if isinstance(value, Tensor) else value
        if not isinstance(array, np.ndarray) or array.dtype == object:
            return value
        key = id(array)
        if key in self.names:
            return self.names[key]
        if key in self.parameters:
            name, data = self.parameters[key]
            self.names[key] = self.builder.constant(data, name=name)
            return self.names[key]
        twin = other.args[k]
        twin = twin.array if isinstance(twin, Tensor) else np.asarray(twin)
        self.names[key] = self.constant(call, k, array, twin)
        return self.names[key]

    def constant(self, call: Call, k: int, array, twin) -> str:
        """A value the model made without minigrad's ops: the same in both runs (a mask, a
        buffer) is an initializer; one filled with a single value whose shape follows a
        dynamic axis (zeros for an initial state) is ConstantOfShape; anything else would
        freeze the example's values into the file."""
        builder, op = self.builder, call.function.__name__
        if array.shape == twin.shape:
            if np.array_equal(array, twin, equal_nan=array.dtype.kind == "f"):
                return builder.constant(array)
        elif array.size and np.all(array == array.reshape(-1)[0]):
            from onnx import numpy_helper
            value = numpy_helper.from_array(array.reshape(-1)[:1].copy())
            return builder.op("ConstantOfShape",
                              [builder.dims(array.shape, twin.shape, op=op)], value=value)
        raise OnnxExportError(
            f"onnx.export: input {k} of {op} (shape {array.shape}) changes with the model's "
            f"input but was not computed by minigrad's ops (made from .array/.numpy() or with "
            f"NumPy directly), so ONNX would freeze the example's values; compute it with "
            f"Tensor ops")


def _same(a, b) -> bool:
    """Equal settings: numbers, tuples, slices and arrays compared by value."""
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b))
    return type(a) is type(b) and a == b


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _model(onnx, builder, values, first, second, input_names, output_names, dynamic, symbols,
           opset):
    from onnx import helper
    pair_labels = {pair: dynamic[name][axis] for pair, (name, axis) in symbols.items()}
    graph_outputs = []
    for tensor, twin, name in zip(first.outputs, second.outputs, output_names):
        source = values.names.get(id(tensor.array))
        if source is None:  # an output no op made: a parameter, or a value made outside
            source = values.resolve(Call(None, (tensor,), {}, tensor),
                                    Call(None, (twin,), {}, twin), 0)
        builder.nodes.append(helper.make_node("Identity", [source], [name],
                                              name=builder.fresh("output")))
        graph_outputs.append(_value_info(name, tensor, twin, dynamic.get(name, {}), pair_labels))
    builder.prune(output_names)
    graph_inputs = [_value_info(name, t, t, dynamic.get(name, {}), {})
                    for name, t in zip(input_names, first.inputs)]
    graph = helper.make_graph(builder.nodes, "minigrad", graph_inputs, graph_outputs,
                              builder.initializers)
    from .. import __version__
    return helper.make_model(graph, producer_name="minigrad", producer_version=__version__,
                             opset_imports=[helper.make_opsetid("", opset)])


def _value_info(name, tensor, twin, labels: dict, pair_labels: dict):
    """A graph input/output's type: dtype and shape, with a named (symbolic) size on every
    dynamic axis: given in ``labels``, or recognized as one that changed between the runs
    (``pair_labels``: the label of the input axis with those two sizes)."""
    from onnx import helper
    shape = []
    for axis, (a, b) in enumerate(zip(tensor.shape, twin.shape)):
        if axis in labels:
            shape.append(labels[axis])
        elif a != b:
            shape.append(pair_labels.get((a, b), f"{name}_dim{axis}"))
        else:
            shape.append(a)
    return helper.make_tensor_value_info(
        name, helper.np_dtype_to_tensor_dtype(np.dtype(tensor.dtype)), shape)
