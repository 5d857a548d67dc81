"""The formula dialect: an elementwise formula written once, next to its op, for every target.

A formula is a plain function for *one element*, written with operators and these names:
``exp``, ``expm1`` (eˣ − 1), ``log``, ``log1p`` (ln(1 + x)), ``tanh``, ``sqrt``, ``erf``,
``select(condition, a, b)`` (a where the condition holds, else b: no Python ``if``, which
arrays cannot take) and the constants ``ZERO``, ``HALF``, ``ONE``, ``TWO``.  Here those names
are NumPy's, so a formula runs on arrays (or numbers) as it stands, in a REPL or a test::

    >>> from minigrad.ops.activations import sigmoid
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))        # no overflow warning
    array([0. , 0.5, 1. ])

The same code runs on three other targets, with other meanings for the names:

- **arrays of any module** (``on_arrays``): CuPy's functions for GPU arrays, and
  ``minigrad.differentiable``'s for Tensors, so that a backward formula run while a graph is
  being built (``create_graph=True``) records that graph;
- **Numba on the CPU** and **Numba on CUDA**: ``minigrad_kernels.compile`` writes the source of
  every registered formula into one module per target and dtype, binds the names to scalar
  functions and constants of that dtype (a literal ``1.0`` is float64 to Numba and would drag
  float32 arithmetic into float64), and writes the loops that apply them.

``@formula`` registers a function in ``FORMULAS`` with what that compiler needs to know: which
parameters are one number for all elements (``scalars``: a slope, a learning rate), whether it
is an optimizer update keeping ``states`` arrays, whether it is fused after a matmul's bias
add (``epilogue``), or only a building block of other loops (``mapped=False``).  An op then
applies it by the object itself (``kernels.pointwise(sigmoid_back, g, z)``), so
go-to-definition on the op's backward lands on the formula.
"""
from __future__ import annotations

import functools
import types
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import backend

ZERO, HALF, ONE, TWO = 0.0, 0.5, 1.0, 2.0
exp, expm1, log, log1p, tanh, sqrt = np.exp, np.expm1, np.log, np.log1p, np.tanh, np.sqrt
erf = backend.erf


def select_over(where):
    """The dialect's ``select(condition, a, b)`` on top of an array module's ``where``: a
    where the condition holds, else b; a Python bool (a setting: nesterov, the first step)
    decides once, as a compiled formula's branch does."""
    def select(condition, a, b):
        if type(condition) is bool:
            return a if condition else b
        return where(condition, a, b)
    return select


select = select_over(np.where)


NAMES = ("ZERO", "HALF", "ONE", "TWO", "exp", "expm1", "log", "log1p", "tanh", "sqrt", "erf",
         "select")
"""The dialect's names: what each target binds."""


@dataclass(frozen=True)
class Formula:
    """A registered formula and what the kernel compiler needs to know about it."""
    function: Callable
    scalars: tuple = ()        # parameters that are one number for every element
    states: int | None = None  # an optimizer update: (p, d, *states, *scalars) -> (p, *states)
    mapped: bool = True        # the compiler writes <name>_map, out[i] = formula(arrays[i]...)
    epilogue: bool = False     # and <name>_bias_map, out[i] = formula(z[i] + bias[j])
    arrays: tuple = ()         # the parameters that take one element of an array each

    @property
    def name(self) -> str:
        return self.function.__name__


FORMULAS: dict[str, Formula] = {}
"""Every formula by name, in the order of registration: what the kernel modules hold."""

registrations = 0
"""How many times ``@formula`` has registered one: the kernel door's modules are kept until it
changes (a formula added later, as a test's toy op, needs a module that holds it)."""


def formula(function=None, *, scalars=(), states=None, mapped=True, epilogue=False):
    """Register ``function`` as a formula (module docstring) and return it unchanged.
    ``@formula`` or ``@formula(scalars=("slope",))``; names must be unique, since every
    formula becomes a function of the same generated module."""
    def register(function):
        global registrations
        known = FORMULAS.get(function.__name__)
        where = (function.__module__, function.__qualname__)
        if known is not None and (known.function.__module__, known.function.__qualname__) != where:
            raise ValueError(f"formula {function.__name__!r} exists already, in "
                             f"{known.function.__module__}: formula names must be unique")
        code = function.__code__
        arrays = tuple(n for n in code.co_varnames[:code.co_argcount] if n not in scalars)
        FORMULAS[function.__name__] = Formula(function, tuple(scalars), states,
                                              mapped and states is None, epilogue, arrays)
        registrations += 1
        return function
    return register(function) if function is not None else register


def bind(function, **names):
    """``function`` with the dialect's names (``NAMES``) bound as given: the same code object,
    run on whatever those names compute with (scalars, arrays, Tensors)."""
    missing = set(NAMES) - set(names)
    if missing:
        raise TypeError(f"bind({function.__name__}): no binding for {sorted(missing)}")
    return types.FunctionType(function.__code__, {**function.__globals__, **names},
                              function.__name__, function.__defaults__, function.__closure__)


def array_names(xp) -> dict:
    """The dialect's names for whole arrays of array module ``xp`` (NumPy, CuPy, or
    ``minigrad.differentiable`` for Tensors): ``select`` is ``where``, constants are numbers."""
    return dict(ZERO=0.0, HALF=0.5, ONE=1.0, TWO=2.0, exp=xp.exp, expm1=xp.expm1, log=xp.log,
                log1p=xp.log1p, tanh=xp.tanh, sqrt=xp.sqrt, erf=backend.erf,
                select=select_over(xp.where))


@functools.lru_cache(maxsize=None)
def on_arrays(function, xp):
    """Formula ``function`` bound to array module ``xp`` (NumPy, CuPy, or
    minigrad.differentiable): the kernel's lines, applied to whole arrays (broadcasting
    allowed)."""
    return bind(function, **array_names(xp))
