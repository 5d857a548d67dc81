"""Each minigrad op as ONNX nodes: one entry per ``Function`` class.

An entry ``emit(g, n) -> name`` writes the op ``n`` (a ``Node``: its input names, settings
and output) into the graph builder ``g`` and returns the name of its output.  Most ops are
one ONNX node; a few are a small formula of nodes (SiLU = x·σ(x), attention = softmax(QKᵀ·s
+ M)V, variance); an activation that is one ONNX node says so on its class (``entry_of``).
The LSTM and RNN layers become ONNX's ``LSTM``/``RNN`` nodes, their weight rows reordered
from PyTorch's gates (i, f, g, o) to ONNX's (i, o, f, c); the input projection x W_ihᵀ + b_ih
that minigrad computes for all steps at once moves into the node.
An op missing here is an export error that names it.
"""
from __future__ import annotations

import math

import numpy as np

from ..ops import (activations as act, attention, conv, copies, dropout, elementwise as el,
                   embedding, matmul, normalization as norm, quantize, recurrent, reduce,
                   shape)
from ..ops.reduce import normalize_dims
from .graph import INT64_MAX, OnnxExportError

TABLE: dict = {}


def maps(*functions, dynamic_options=()):
    """Register ``emit`` as the entry of these Function classes.  ``dynamic_options``: the
    settings the entry reads from both runs (shapes that follow the batch size); any other
    setting must be the same in both."""
    def register(emit):
        emit.dynamic_options = dynamic_options
        for function in functions:
            TABLE[function] = emit
        return emit
    return register


def entry_of(function):
    """The entry of a Function class: its own in ``TABLE``, else, for an activation that
    declares ``onnx = (ONNX op, {attribute: setting})`` (``ops.activations.Pointwise``), one
    node of that op on its input — derived, so a new activation needs no entry here."""
    if function in TABLE or getattr(function, "onnx", None) is None:
        return TABLE.get(function)
    kind, attributes = function.onnx

    def one_node(g, n):
        settings = {a: float(n.options.get(s, function.settings[s])) for a, s in attributes.items()}
        return g.op(kind, [operand(g, n, 0)], **settings)
    one_node.dynamic_options = ()
    return one_node


def operand(g, n, i: int, dtype=None) -> str:
    """Input ``i`` as a name in ``dtype`` (default: the op's output dtype); a number or
    array argument becomes a constant."""
    dtype = np.dtype(dtype or n.out_dtype)
    value = n.inputs[i]
    if isinstance(value, str):
        return g.cast(value, n.dtype(i), dtype)
    return g.constant(np.asarray(value, dtype=dtype))


# ----------------------------------------------------------------------------- elementwise

BINARY = {el.Add: "Add", el.Sub: "Sub", el.Mul: "Mul", el.Div: "Div", el.Pow: "Pow",
          el.Maximum: "Max", el.Minimum: "Min"}
UNARY = {el.Neg: "Neg", el.Exp: "Exp", el.Log: "Log", el.Sqrt: "Sqrt", el.Erf: "Erf",
         el.Sin: "Sin", el.Cos: "Cos", el.Abs: "Abs"}


@maps(*BINARY)
def binary(g, n):
    return g.op(BINARY[n.call.function], [operand(g, n, 0), operand(g, n, 1)])


@maps(*UNARY)
def unary(g, n):
    return g.op(UNARY[n.call.function], [operand(g, n, 0)])


@maps(el.Floor)
def floor(g, n):
    x = operand(g, n, 0)
    if n.options.get("rounding", "floor") == "floor":
        return g.op("Floor", [x])
    return g.op("Mul", [g.op("Sign", [x]), g.op("Floor", [g.op("Abs", [x])])])  # trunc


@maps(el.Where)
def where(g, n):
    return g.op("Where", [operand(g, n, 0, bool), operand(g, n, 1), operand(g, n, 2)])


@maps(el.Clamp)
def clamp(g, n):
    low, high = n.options.get("low"), n.options.get("high")
    bound = lambda v: None if v is None else g.constant(np.asarray(v, n.out_dtype))  # noqa
    return g.op("Clip", [operand(g, n, 0), bound(low), bound(high)])


@maps(el.Cast)
def cast(g, n):
    return g.cast(n.inputs[0], n.dtype(0), n.out_dtype)


@maps(shape.ToDevice, copies.Clone, dropout.Dropout)
def identity(g, n):
    """Copies, device moves and dropout (an identity at inference, as ONNX exports it)."""
    return g.op("Identity", [n.inputs[0]])


# ----------------------------------------------------------------------------- activations


# ReLU, LeakyReLU, ELU, Sigmoid and Tanh: one node each, derived from their ``onnx`` (entry_of)


@maps(act.SiLU)
def silu(g, n):
    x = operand(g, n, 0)
    return g.op("Mul", [x, g.op("Sigmoid", [x])])


@maps(act.Softplus)
def softplus(g, n):
    """softplus(βx)/β, and x itself where βx > threshold (PyTorch's linear region)."""
    x, dtype = operand(g, n, 0), n.out_dtype
    beta, threshold = n.options.get("beta", 1.0), n.options.get("threshold", 20.0)
    scaled = g.op("Mul", [x, g.constant(np.asarray(beta, dtype))])
    soft = g.op("Div", [g.op("Softplus", [scaled]), g.constant(np.asarray(beta, dtype))])
    linear = g.op("Greater", [scaled, g.constant(np.asarray(threshold, dtype))])
    return g.op("Where", [linear, x, soft])


@maps(act.GELU)
def gelu(g, n):
    """x Φ(x) = ½x(1 + erf(x/√2)), or ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    x, dtype = operand(g, n, 0), n.out_dtype
    c = lambda v: g.constant(np.asarray(v, dtype))  # noqa: E731
    if n.options.get("approximate", "none") == "none":
        inner = g.op("Erf", [g.op("Mul", [x, c(1 / math.sqrt(2))])])
    else:
        cube = g.op("Mul", [g.op("Mul", [x, x]), x])
        u = g.op("Mul", [g.op("Add", [x, g.op("Mul", [cube, c(0.044715)])]),
                         c(math.sqrt(2 / math.pi))])
        inner = g.op("Tanh", [u])
    return g.op("Mul", [g.op("Mul", [x, c(0.5)]), g.op("Add", [inner, c(1.0)])])


@maps(act.Softmax, act.LogSoftmax)
def softmax(g, n):
    op = "Softmax" if n.call.function is act.Softmax else "LogSoftmax"
    return g.op(op, [operand(g, n, 0)], axis=int(n.options["dim"]))


# ----------------------------------------------------------------------------- products


@maps(matmul.MatMul)
def matrix_product(g, n):
    return g.op("MatMul", [operand(g, n, 0), operand(g, n, 1)])


def linear(g, n) -> str:
    """x Wᵀ + b: one Gemm for a matrix x, else MatMul with Wᵀ then Add."""
    x, weight = operand(g, n, 0), operand(g, n, 1)
    bias = operand(g, n, 2) if n.inputs[2] is not None else None
    if len(n.arg(0).shape) == 2:
        return g.op("Gemm", [x, weight, bias], transB=1)
    y = g.op("MatMul", [x, g.op("Transpose", [weight], perm=[1, 0])])
    return y if bias is None else g.op("Add", [y, bias])


maps(matmul.Linear)(linear)
ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh"}


@maps(matmul.LinearActivation)
def linear_activation(g, n):
    return g.op(ACTIVATIONS[n.options["activation"]], [linear(g, n)])


# ----------------------------------------------------------------------------- shapes


@maps(shape.Reshape, dynamic_options=("shape",))
def reshape(g, n):
    source = (tuple(n.arg(0).shape), tuple(n.other.args[0].shape))
    return g.op("Reshape", [n.inputs[0], g.dims(n.options["shape"], n.other.options["shape"],
                                                infer=True, op="reshape", source=source)])


@maps(shape.Permute)
def permute(g, n):
    ndim = len(n.arg(0).shape)
    return g.op("Transpose", [n.inputs[0]], perm=[d % ndim for d in n.options["dims"]])


@maps(shape.Expand, dynamic_options=("shape",))
def expand(g, n):
    return g.op("Expand", [n.inputs[0], g.dims(n.out_shape, tuple(n.other.out.shape),
                                               op="expand")])


@maps(shape.Cat)
def cat(g, n):
    axis = normalize_dims(n.options.get("dim", 0), len(n.arg(0).shape))[0]
    return g.op("Concat", [operand(g, n, i) for i in range(len(n.inputs))], axis=axis)


@maps(shape.Stack)
def stack(g, n):
    axis = normalize_dims(n.options.get("dim", 0), len(n.arg(0).shape) + 1)[0]
    parts = [g.unsqueeze(operand(g, n, i), [axis]) for i in range(len(n.inputs))]
    return g.op("Concat", parts, axis=axis)


@maps(shape.Pad)
def pad(g, n):
    """F.pad's (before, after) pairs from the last dim as ONNX's [begins..., ends...]
    (negative amounts crop, in both)."""
    amounts, ndim = n.options["pad"], len(n.arg(0).shape)
    begins, ends = [0] * ndim, [0] * ndim
    for k in range(len(amounts) // 2):
        begins[ndim - 1 - k], ends[ndim - 1 - k] = amounts[2 * k], amounts[2 * k + 1]
    value = g.constant(np.asarray(n.options.get("value", 0.0), n.out_dtype))
    return g.op("Pad", [n.inputs[0], g.ints(begins + ends), value], mode="constant")


@maps(shape.GetItem)
def get_item(g, n):
    """Basic indexing, one item at a time: a slice is Slice, an integer Gather (its dim goes),
    None Unsqueeze, one integer array Gather; boolean masks have no ONNX form here."""
    x, ndim = n.inputs[0], len(n.arg(0).shape)
    items = n.options["index"]
    items = list(items) if isinstance(items, tuple) else [items]
    if any(item is Ellipsis for item in items):
        at = items.index(Ellipsis)
        used = sum(item is not None for item in items) - 1
        items[at:at + 1] = [slice(None)] * (ndim - used)
    axis = 0
    for item in items:
        if item is None:
            x = g.unsqueeze(x, [axis])
            axis += 1
        elif isinstance(item, slice):
            x = _slice(g, x, axis, item)
            axis += 1
        elif isinstance(item, (int, np.integer)):
            x = g.op("Gather", [x, g.constant(np.asarray(item, np.int64))], axis=axis)
        elif getattr(item, "dtype", None) is not None and item.dtype.kind in "iu":
            x = g.op("Gather", [x, g.constant(np.asarray(item, np.int64))], axis=axis)
            axis += item.ndim
        else:
            raise OnnxExportError(f"onnx.export: indexing with {type(item).__name__} "
                                  f"(a boolean mask?) has no ONNX mapping here; use "
                                  f"integer indices or slices")
    return x


def _slice(g, x: str, axis: int, item: slice) -> str:
    if item == slice(None):
        return x
    step = 1 if item.step is None else item.step
    start = item.start if item.start is not None else (0 if step > 0 else -1)
    stop = item.stop if item.stop is not None else (INT64_MAX if step > 0 else -INT64_MAX)
    return g.op("Slice", [x, g.ints([start]), g.ints([stop]), g.ints([axis]), g.ints([step])])


@maps(shape.Gather)
def gather(g, n):
    ndim = len(n.arg(0).shape)
    return g.op("GatherElements", [n.inputs[0], g.constant(np.asarray(n.options["index"],
                                                                       np.int64))],
                axis=normalize_dims(n.options["dim"], ndim)[0])


@maps(copies.Flip)
def flip(g, n):
    dims = normalize_dims(n.options["dims"], len(n.arg(0).shape))
    k = len(dims)
    return g.op("Slice", [n.inputs[0], g.ints([-1] * k), g.ints([-INT64_MAX] * k),
                          g.ints(dims), g.ints([-1] * k)])


@maps(copies.Repeat)
def repeat(g, n):
    x, sizes, ndim = n.inputs[0], tuple(n.options["sizes"]), len(n.arg(0).shape)
    if len(sizes) > ndim:  # new leading dims of size 1, then tile
        x = g.unsqueeze(x, list(range(len(sizes) - ndim)))
    return g.op("Tile", [x, g.ints(sizes)])


# ----------------------------------------------------------------------------- reductions

REDUCE = {reduce.Sum: "ReduceSum", reduce.Mean: "ReduceMean", reduce.AMax: "ReduceMax",
          reduce.AMin: "ReduceMin", reduce.Prod: "ReduceProd",
          reduce.LogSumExp: "ReduceLogSumExp"}


@maps(*REDUCE)
def reduction(g, n):
    axes = normalize_dims(n.options.get("dim"), len(n.arg(0).shape))
    return g.reduce(REDUCE[n.call.function], operand(g, n, 0), axes,
                    n.options.get("keepdim", False))


@maps(reduce.Var, reduce.Std)
def variance(g, n):
    """Σ(x − mean)² / (N − correction), and its square root for std."""
    x, in_shape = operand(g, n, 0), n.arg(0).shape
    axes = normalize_dims(n.options.get("dim"), len(in_shape))
    count = int(np.prod([in_shape[a] for a in axes]))
    other = n.other.args[0].shape
    if count != int(np.prod([other[a] for a in axes])):
        raise OnnxExportError("onnx.export: var/std over a dynamic axis is not supported")
    deviation = g.op("Sub", [x, g.reduce("ReduceMean", x, axes, True)])
    total = g.reduce("ReduceSum", g.op("Mul", [deviation, deviation]), axes,
                     n.options.get("keepdim", False))
    divisor = max(count - n.options.get("correction", 1), 0)
    y = g.op("Div", [total, g.constant(np.asarray(divisor, n.out_dtype))])
    return g.op("Sqrt", [y]) if n.call.function is reduce.Std else y


@maps(reduce.Cumsum)
def cumsum(g, n):
    axis = normalize_dims(n.options["dim"], len(n.arg(0).shape))[0]
    return g.op("CumSum", [operand(g, n, 0), g.constant(np.asarray(axis, np.int64))])


@maps(reduce.SumToSize)
def sum_to_size(g, n):
    in_shape, target = n.arg(0).shape, n.out_shape
    lead = len(in_shape) - len(target)
    axes = list(range(lead)) + [lead + i for i, size in enumerate(target)
                                if size == 1 and in_shape[lead + i] != 1]
    summed = g.reduce("ReduceSum", n.inputs[0], axes, True)
    return g.op("Reshape", [summed, g.ints(target)])


# ----------------------------------------------------------------------------- images


@maps(conv.Conv2d)
def conv2d(g, n):
    bias = n.inputs[2] if isinstance(n.inputs[2], str) else None
    return g.op("Conv", [n.inputs[0], n.inputs[1], bias],
                strides=list(n.setting("stride", 3)), pads=list(n.setting("padding", 4)) * 2,
                dilations=list(n.setting("dilation", 5)), kernel_shape=list(n.arg(1).shape[2:]))


@maps(conv.ConvTranspose2d)
def conv_transpose2d(g, n):
    bias = n.inputs[2] if isinstance(n.inputs[2], str) else None
    return g.op("ConvTranspose", [n.inputs[0], n.inputs[1], bias],
                strides=list(n.setting("stride", 3)), pads=list(n.setting("padding", 4)) * 2,
                output_padding=list(n.setting("output_padding", 5)),
                dilations=list(n.setting("dilation", 6)), kernel_shape=list(n.arg(1).shape[2:]))


@maps(conv.MaxPool2d)
def max_pool(g, n):
    o = n.options
    return g.op("MaxPool", [n.inputs[0]], kernel_shape=list(o["kernel"]),
                strides=list(o["stride"]), pads=list(o["padding"]) * 2,
                dilations=list(o["dilation"]))


@maps(conv.AvgPool2d)
def avg_pool(g, n):
    o = n.options
    return g.op("AveragePool", [n.inputs[0]], kernel_shape=list(o["kernel"]),
                strides=list(o["stride"]), pads=list(o["padding"]) * 2, count_include_pad=1)


# ----------------------------------------------------------------------------- normalization


@maps(norm.BatchNorm)
def batch_norm(g, n):
    if n.options.get("training"):
        raise OnnxExportError("onnx.export: batch_norm with training=True (batch statistics) "
                              "has no inference form; export the model in eval mode")
    channels = n.arg(0).shape[1]
    dtype = n.out_dtype
    weight = n.inputs[1] if isinstance(n.inputs[1], str) else g.constant(np.ones(channels,
                                                                                  dtype))
    bias = n.inputs[2] if isinstance(n.inputs[2], str) else g.constant(np.zeros(channels,
                                                                                 dtype))
    mean, var = (g.op("Reshape", [operand(g, n, i), g.ints([channels])]) for i in (3, 4))
    return g.op("BatchNormalization", [n.inputs[0], weight, bias, mean, var],
                epsilon=float(n.options["eps"]))


@maps(norm.LayerNorm)
def layer_norm(g, n):
    ndim = n.options["normalized_ndim"]
    shape_ = n.arg(0).shape[-ndim:]
    weight = n.inputs[1] if isinstance(n.inputs[1], str) else g.constant(np.ones(shape_,
                                                                                 n.out_dtype))
    bias = n.inputs[2] if isinstance(n.inputs[2], str) else None
    return g.op("LayerNormalization", [n.inputs[0], weight, bias], axis=-ndim,
                epsilon=float(n.options["eps"]))


@maps(embedding.Embedding)
def embedding_lookup(g, n):
    return g.op("Gather", [n.inputs[0], n.inputs[1]], axis=0)


# ----------------------------------------------------------------------------- attention


@maps(attention.ScaledDotProductAttention)
def scaled_dot_product_attention(g, n):
    """softmax(Q Kᵀ · scale + M) V (dropout is off at inference)."""
    q, k, v = (operand(g, n, i) for i in range(3))
    ndim = len(n.arg(1).shape)
    perm = list(range(ndim - 2)) + [ndim - 1, ndim - 2]
    scale = n.options.get("scale") or 1 / math.sqrt(n.arg(0).shape[-1])
    scores = g.op("Mul", [g.op("MatMul", [q, g.op("Transpose", [k], perm=perm)]),
                          g.constant(np.asarray(scale, n.out_dtype))])
    if len(n.inputs) > 3 and n.inputs[3] is not None:
        scores = g.op("Add", [scores, operand(g, n, 3)])
    return g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])


# ----------------------------------------------------------------------------- recurrences

ONNX_GATES = (0, 3, 1, 2)  # ONNX's (i, o, f, c) as blocks of PyTorch's (i, f, g, o)


def _gate_rows(hidden: int, gates: tuple) -> np.ndarray:
    """The row order that takes PyTorch's gate blocks to ONNX's."""
    return np.concatenate([np.arange(b * hidden, (b + 1) * hidden) for b in gates])


def _recurrent_weights(g, n, gates: tuple, w_index: int, b_index: int):
    """ONNX's (X, W, R, B) for a recurrent node, gate rows in ONNX's order, each weight with
    the leading direction axis.  When the projected input came from a Linear x W_ihᵀ + b_ih
    (as in nn.LSTM/RNN), the node takes x, W_ih and b_ih themselves (and that Linear is
    pruned); otherwise X is the projection and W an identity."""
    w_hh = n.arg(w_index)
    rows, hidden = w_hh.shape
    dtype = n.out_dtype
    order = g.constant(_gate_rows(hidden, gates))
    reorder = lambda name: g.op("Gather", [name, order], axis=0)  # noqa: E731
    source, names = n.producer(0)
    if source is not None and source.function is matmul.Linear and names[0] is not None \
            and len(source.args[0].shape) == 3:
        X, W = names[0], g.unsqueeze(reorder(names[1]), [0])
        b_ih = reorder(names[2]) if names[2] is not None else g.constant(np.zeros(rows, dtype))
    else:
        X = operand(g, n, 0)
        W = g.constant(np.eye(rows, dtype=dtype)[_gate_rows(hidden, gates)][None])
        b_ih = g.constant(np.zeros(rows, dtype))
    R = g.unsqueeze(reorder(operand(g, n, w_index)), [0])
    b_hh = reorder(operand(g, n, b_index)) if n.inputs[b_index] is not None \
        else g.constant(np.zeros(rows, dtype))
    B = g.unsqueeze(g.op("Concat", [b_ih, b_hh], axis=0), [0])
    return X, W, R, B, hidden


@maps(recurrent.LSTMLayer)
def lstm_layer(g, n):
    """(T + 1, B, H): every h_t, then c_T, from ONNX's Y (T, 1, B, H) and Y_c (1, B, H)."""
    if n.setting("h_mask", 5) is not None:
        raise OnnxExportError("onnx.export: an LSTM with recurrent dropout active; export "
                              "in eval mode")
    X, W, R, B, hidden = _recurrent_weights(g, n, ONNX_GATES, 3, 4)
    h0, c0 = (g.unsqueeze(operand(g, n, i), [0]) for i in (1, 2))
    y, _, y_c = g.op("LSTM", [X, W, R, B, None, h0, c0], outputs=3,
                     hidden_size=hidden)
    return g.op("Concat", [g.squeeze(y, [1]), y_c], axis=0)


@maps(recurrent.RNNLayer)
def rnn_layer(g, n):
    X, W, R, B, hidden = _recurrent_weights(g, n, (0,), 2, 3)
    h0 = g.unsqueeze(operand(g, n, 1), [0])
    activation = "Relu" if n.setting("relu", 4, False) else "Tanh"
    y = g.op("RNN", [X, W, R, B, None, h0], hidden_size=hidden,
             activations=[activation])
    return g.squeeze(y, [1])


# ----------------------------------------------------------------------------- booleans

COMPARE = {"eq": "Equal", "lt": "Less", "le": "LessOrEqual", "gt": "Greater",
           "ge": "GreaterOrEqual"}


@maps(el.Compare)
def compare(g, n):
    """x <op> y on the two inputs promoted to one dtype (ne is Not(Equal))."""
    from ..promotion import result_type
    common = result_type(n.arg(0), n.arg(1))
    x, y = operand(g, n, 0, common), operand(g, n, 1, common)
    op = n.options["op"]
    if op == "ne":
        return g.op("Not", [g.op("Equal", [x, y])])
    return g.op(COMPARE[op], [x, y])


@maps(el.Logical)
def logical(g, n):
    op = n.options.get("op", "and")
    if n.out_dtype != np.bool_:
        raise OnnxExportError(f"onnx.export: bitwise {op} on integers has no mapping here "
                              f"(only on booleans)")
    if op == "not":
        return g.op("Not", [n.inputs[0]])
    return g.op(op.capitalize(), [operand(g, n, 0, bool), operand(g, n, 1, bool)])


# ----------------------------------------------------------------------------- int8


@maps(quantize.QuantizeDequantize)
def quantize_dequantize(g, n):
    """QuantizeLinear then DequantizeLinear with one scale and zero point 0 (int8)."""
    scale = g.constant(np.asarray(n.setting("scale", 1), n.out_dtype))
    zero = g.constant(np.asarray(0, np.int8))
    return g.op("DequantizeLinear", [g.op("QuantizeLinear", [operand(g, n, 0), scale, zero]),
                                     scale, zero])


@maps(quantize.Dequantize)
def dequantize(g, n):
    """DequantizeLinear of int8 (weights) or int32 (biases) values with one scale per slice
    along ``axis``."""
    channels, dtype = n.arg(1).size, n.dtype(0)
    zero = g.constant(np.zeros(channels, dtype) if channels > 1 else np.asarray(0, dtype))
    scale = n.inputs[1] if channels > 1 else g.op("Reshape", [n.inputs[1], g.ints([])])
    return g.op("DequantizeLinear", [n.inputs[0], scale, zero],
                axis=int(n.setting("axis", 2, 0)))
