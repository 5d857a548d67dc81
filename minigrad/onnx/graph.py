"""GraphBuilder: the ONNX graph being written, one node at a time.

ONNX describes a model as a list of nodes (``op_type``, input names, output names,
attributes) over named values: the graph's inputs, initializers (the parameters and other
constants, stored in the file) and the nodes' outputs.  The builder hands out fresh names,
stores constants as initializers, and writes shapes that depend on the batch size as small
shape computations (``dims``), so the exported model takes any batch.
"""
from __future__ import annotations

import itertools

import numpy as np

INT64_MAX = np.iinfo(np.int64).max


class OnnxExportError(RuntimeError):
    """The model cannot be written as ONNX: an op without a mapping, a shape or constant that
    depends on the input in a way ONNX cannot express, or a bad argument."""


class GraphBuilder:
    """Nodes and initializers of one ONNX graph.

    ``symbols`` maps a pair of sizes (in the first trace, in the second) to the graph input
    and axis it comes from: the export runs the model twice, with the dynamic axes one size
    apart, so a size that differs between the runs is recognized as that axis."""

    def __init__(self, opset: int, symbols: dict):
        from onnx import helper, numpy_helper
        self.helper, self.numpy_helper = helper, numpy_helper
        self.opset, self.symbols = opset, symbols
        self.nodes, self.initializers = [], []
        self._count = itertools.count()
        self._shapes = {}  # graph input name -> the name of its Shape node

    def fresh(self, hint: str) -> str:
        return f"{hint}_{next(self._count)}"

    def op(self, op_type: str, inputs, outputs: int = 1, **attributes):
        """Append one node; returns its output name (a list of names if ``outputs > 1``).
        An input of None is an omitted optional input ("")."""
        names = [self.fresh(op_type) for _ in range(outputs)]
        self.nodes.append(self.helper.make_node(
            op_type, ["" if i is None else i for i in inputs], names,
            name=self.fresh(op_type + "_node"), **attributes))
        return names[0] if outputs == 1 else names

    def constant(self, value, dtype=None, hint: str = "const", name: str | None = None) -> str:
        """An initializer holding ``value`` (an array or number, as ``dtype`` if given),
        named ``name`` (a parameter's state_dict name) or a fresh name."""
        array = np.asarray(value, dtype=dtype)
        name = name or self.fresh(hint)
        self.initializers.append(self.numpy_helper.from_array(array.copy(order="C"),
                                                              name))
        return name

    def ints(self, values) -> str:
        """A 1-D int64 constant (axes, shapes, pads given as inputs)."""
        return self.constant(np.asarray(list(values), dtype=np.int64), hint="ints")

    def cast(self, name: str, source, target) -> str:
        """``name`` converted from dtype ``source`` to ``target`` (no node if equal)."""
        from onnx import helper
        if np.dtype(source) == np.dtype(target):
            return name
        return self.op("Cast", [name], to=helper.np_dtype_to_tensor_dtype(np.dtype(target)))

    def dims(self, first: tuple, second: tuple, infer: bool = False, op: str = "",
             source: tuple = ((), ())) -> str:
        """A 1-D int64 shape whose static sizes are ``first`` and whose sizes that changed
        between the two runs are read from the graph input they came from (``symbols``).
        Reshape's extras: a size equal to the reshaped tensor's own size at that position in
        both runs (``source``: its shapes in the two runs) is 0, "copy it"; with ``infer`` one
        size that matches no input may become -1."""
        if tuple(first) == tuple(second):
            return self.ints(first)
        if len(first) != len(second):
            raise OnnxExportError(f"{op}: the shape has {len(first)} dims with one input "
                                  f"size and {len(second)} with another")
        parts, inferred = [], -1 in tuple(first)
        copies = [i < min(len(source[0]), len(source[1])) and (source[0][i], source[1][i]) ==
                  (a, b) for i, (a, b) in enumerate(zip(first, second))]
        if all(a == b or copy for a, b, copy in zip(first, second, copies)):
            return self.ints([0 if a != b else a for a, b in zip(first, second)])
        for a, b in zip(first, second):
            if a == b:
                parts.append(self.ints([a]))
            elif (a, b) in self.symbols:
                parts.append(self.input_size(*self.symbols[(a, b)]))
            elif infer and not inferred:
                parts.append(self.ints([-1]))
                inferred = True
            else:
                raise OnnxExportError(
                    f"{op}: a shape {tuple(first)} has a size ({a}, then {b} with a larger "
                    f"input) that is no dynamic axis of an input; export with fixed sizes "
                    f"(no dynamic_axes) or compute it from the input's axes")
        return self.op("Concat", parts, axis=0)

    def prune(self, outputs) -> None:
        """Drop the nodes and initializers no output needs (an entry may make an earlier
        node's result unnecessary, as the LSTM does with the input projection it absorbs)."""
        needed, kept = set(outputs), []
        for node in reversed(self.nodes):
            if needed.intersection(node.output):
                kept.append(node)
                needed.update(node.input)
        self.nodes = kept[::-1]
        self.initializers = [i for i in self.initializers if i.name in needed]

    def input_size(self, input_name: str, axis: int) -> str:
        """The size of axis ``axis`` of a graph input, as a 1-element int64 tensor."""
        if input_name not in self._shapes:
            self._shapes[input_name] = self.op("Shape", [input_name])
        return self.op("Gather", [self._shapes[input_name], self.ints([axis])], axis=0)

    def reduce(self, op_type: str, x: str, axes, keepdims: bool) -> str:
        """A Reduce* node over ``axes`` (attribute before opset 18, input from 18; ReduceSum
        takes an input from opset 13)."""
        axes = list(axes)
        as_input = self.opset >= 18 or op_type == "ReduceSum"
        if as_input:
            return self.op(op_type, [x, self.ints(axes)], keepdims=int(keepdims))
        return self.op(op_type, [x], axes=axes, keepdims=int(keepdims))

    def unsqueeze(self, x: str, axes) -> str:
        return self.op("Unsqueeze", [x, self.ints(axes)])

    def squeeze(self, x: str, axes) -> str:
        return self.op("Squeeze", [x, self.ints(axes)])
