"""Tracing: the model's forward pass as the list of ops it ran.

Every op of minigrad runs through ``Function.apply`` (forward and backward are methods of one
``Function`` class), so while ``tracing()`` is active each call is recorded as a ``Call``: the
op's class, the arguments it received (Tensors, raw arrays, numbers), its settings and its
output.  That list *is* the program the model runs, in execution order, ready to be written
down in another format (``minigrad.onnx.export``).

Why not read the autograd graph instead?  It keeps what backward needs, and that is not the
forward program: it drops inputs that need no gradient (the model's input, masks, running
statistics), the ops' settings (an axis, a shape) and every op run under ``no_grad``.  A trace
keeps all of them, and costs nothing when it is off: ``tracing`` swaps ``Function.apply`` for
a recording version and puts the original back when the block ends.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from ..autograd import Function
from ..tensor import Tensor


@dataclass
class Call:
    """One op as the model ran it: ``function.apply(*args, **options) -> out``."""

    function: type
    args: tuple
    options: dict
    out: Tensor


@dataclass
class Trace:
    """The calls of one forward pass, and what they were given and returned."""

    inputs: tuple
    outputs: tuple
    calls: list = field(default_factory=list)


@contextlib.contextmanager
def tracing():
    """Record every ``Function.apply`` inside the block into the yielded list (``Call``s)."""
    calls: list = []
    original = Function.__dict__["apply"]

    def recording_apply(cls, *args, **options):
        out = original.__func__(cls, *args, **options)
        calls.append(Call(cls, args, options, out))
        return out
    Function.apply = classmethod(recording_apply)
    try:
        yield calls
    finally:
        Function.apply = original


def trace(model, inputs: tuple) -> Trace:
    """Run ``model(*inputs)`` once, recording its ops; outputs flattened to a tuple of Tensors
    (a model may return a Tensor, or a tuple/list of them)."""
    with tracing() as calls:
        result = model(*inputs)
    outputs = tuple(flatten_outputs(result))
    return Trace(inputs, outputs, calls)


def flatten_outputs(result) -> list:
    """The Tensors of a model's result, in order (nested tuples/lists allowed; None skipped)."""
    if isinstance(result, Tensor):
        return [result]
    if isinstance(result, (tuple, list)):
        return [t for item in result for t in flatten_outputs(item)]
    if result is None:
        return []
    raise TypeError(f"onnx.export: the model returned a {type(result).__name__}; expected "
                    f"a Tensor or a tuple of Tensors")
