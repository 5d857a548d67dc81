"""Compiling the formulas: the ops' formulas, written once, as a module of kernels per target.

The formulas live next to their ops in ``minigrad`` (``minigrad.ops.activations``, the LSTM
cell in ``minigrad.ops.recurrent``, the optimizers' updates in ``minigrad.optim``), each
registered by ``@formula`` in ``minigrad.ops.formula.FORMULAS`` with what this compiler needs
(which arguments are scalars, which are an optimizer's state).  For each target — ("cpu" |
"cuda", dtype) — this writes a Python module into a cache folder: the bindings of the
formulas' names for that target (``tanh`` is ``math.tanh`` or a fast float32 approximation,
``ONE`` is ``float32(1.0)``...), the named coefficients they read, the source of every formula
itself, decorated for Numba (``njit`` on the CPU, ``cuda.jit(device=True)`` on CUDA), and the
loops that apply them to arrays: written here from one description for both targets where
only the loop header differs (the pointwise maps, the optimizer updates, the row-wise kernels
around ``rows.py``), copied from ``loops_cpu.py`` / ``loops_cuda.py`` where the strategy
differs.  Then it imports that module.  Open one to see exactly what Numba compiles; they live
in ``minigrad_kernels.compile.cache_folder()``.

Why a written-out module rather than functions made at run time: Numba's disk cache
(``cache=True``) keys compiled code by its source file, so a real file lets every later
process load the machine code instead of compiling again (the first use of a kernel costs
Numba 0.3–1 s; a cached one loads in milliseconds).  The module's name carries a hash of the
sources (and of ``fast_math.py``, which the loops call), so an edited formula gets a new
module, never a stale cache.  For arrays and Tensors the formulas are bound directly
(``minigrad.ops.formula.on_arrays``), without Numba.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import inspect
import os
import sys
import textwrap
import types
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DIALECT_CONSTANTS = ("ZERO", "HALF", "ONE", "TWO")
"""The formula dialect's constants: bound by each target's header, in its dtype."""


def cache_folder() -> Path:
    """Where the written-out kernel modules (and Numba's cache of them) live:
    ``$MINIGRAD_KERNEL_CACHE``, else the user's cache folder (``~/.cache/minigrad/kernels``):
    never the installed package, which may be read-only."""
    folder = os.environ.get("MINIGRAD_KERNEL_CACHE") or \
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "minigrad" / "kernels"
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ----------------------------------------------------------------------------- writing a target
_HEADERS = {
    "cpu": '''"""minigrad_kernels, target: CPU, {dtype} (written by minigrad_kernels.compile from the
formulas of minigrad's ops, rows.py, loops_cpu.py and compile.py: edit those, not this file)."""
import math

import numpy as np
from numba import njit

from minigrad_kernels.fast_math import select_cpu as select
from minigrad_kernels.fast_math import {tanh} as tanh

ZERO, HALF, ONE, TWO = np.{dtype}(0.0), np.{dtype}(0.5), np.{dtype}(1.0), np.{dtype}(2.0)
DTYPE = np.{dtype}
exp, expm1, log, log1p = math.exp, math.expm1, math.log, math.log1p
sqrt, erf = math.sqrt, math.erf
FORMULA = njit(cache=True, error_model="numpy")
KERNEL = njit(cache=True, error_model="numpy")
''',
    "cuda": '''"""minigrad_kernels, target: CUDA, {dtype} (written by minigrad_kernels.compile from the
formulas of minigrad's ops, rows.py, loops_cuda.py and compile.py: edit those, not this file)."""
import math

import numpy as np
from numba import {dtype}

from minigrad_kernels import runtime

cuda = runtime.cuda()
ZERO, HALF, ONE, TWO = {dtype}(0.0), {dtype}(0.5), {dtype}(1.0), {dtype}(2.0)
DTYPE = np.{dtype}
exp, expm1, log, log1p = math.exp, math.expm1, math.log, math.log1p
tanh, sqrt, erf = math.tanh, math.sqrt, math.erf
FORMULA = cuda.jit(device=True)
KERNEL = cuda.jit


@FORMULA
def select(condition, a, b):
    return a if condition else b
''',
}

TARGET_MAPS = ("tanh",)
"""The dialect's own functions that get a map and a bias epilogue too: ``tanh`` is the
target's (``math.tanh``, or the fast float32 one), not a formula of ours."""


def pointwise_table(formulas) -> dict:
    """{name: (array arguments, scalar arguments)}: what ``<name>_map(arrays..., scalars...,
    out)`` applies elementwise — every mapped formula, and ``TARGET_MAPS``."""
    table = {f.name: (list(f.arrays), list(f.scalars)) for f in formulas if f.mapped}
    return {**table, **{name: (["x"], []) for name in TARGET_MAPS}}


def bias_epilogues(formulas) -> tuple:
    """The activations ``<name>_bias_map(z, bias, scalars..., out)`` fuses with a bias add:
    out = f(z + bias), the bias broadcast along the rows of a flat (rows, len(bias)) matrix."""
    return tuple(f.name for f in formulas if f.epilogue) + TARGET_MAPS


def updates(formulas) -> dict:
    """{name: number of state arrays} of the optimizer formulas (Adam keeps m and v).  One
    takes (p, d, *states, *scalars) for one element and returns the new p and states;
    ``<name>_update(p, d, *states, *scalars)`` applies it to flat arrays in place."""
    return {f.name: f.states for f in formulas if f.states is not None}


ROWS = {  # kernel: the row body in rows.py it runs for every row
    "softmax_cross_entropy_forward": "softmax_cross_entropy_row",
    "softmax_cross_entropy_backward": "softmax_cross_entropy_backward_row",
}
"""The row-wise kernels: ``kernel(arguments...)`` runs ``row(arguments..., r)`` for each row
r of its first argument (on CUDA one row per thread: fine for the class counts of these
models; ``softmax.py`` has the block-per-row version with shared-memory reductions)."""


def _each(target: str, size: str) -> str:
    """The loop header's range: every index below ``size`` on the CPU; on CUDA, this
    thread's share of them (a grid-stride loop: any size runs on any grid, and consecutive
    threads touch consecutive elements)."""
    return f"range({size})" if target == "cpu" else \
        f"range(cuda.grid(1), {size}, cuda.gridsize(1))"


SELECTIONS = {  # kernel: (its arguments, its element)
    "where_map": ("condition a b", "select(condition[i], a[i], b[i])"),
    "where_number_b_map": ("condition a b", "select(condition[i], a[i], b)"),
    "where_number_a_map": ("condition a b", "select(condition[i], a, b[i])"),
}
"""``where``: a where the boolean condition holds, else b — arrays, or one of them a number.
Compiled, ``select`` is one blend instruction per vector; NumPy's ``where`` branches on every
element, and a random condition mispredicts half of them."""


def _map(target: str, kernel: str, formula: str, arrays: list, scalars: list,
         elements: list) -> str:
    """The source of one loop: out[i] = formula(elements..., scalars...)."""
    return _loop(target, kernel, arrays + scalars, f"{formula}({', '.join(elements + scalars)})")


def _loop(target: str, kernel: str, arguments: list, element: str) -> str:
    """The source of one elementwise loop: out[i] = element, for every i."""
    return _kernel(target, kernel, arguments + ["out"], "out.size", f"out[i] = {element}")


def _kernel(target: str, kernel: str, arguments: list, size: str, body: str,
            index: str = "i") -> str:
    """The source of a kernel that runs ``body`` for every ``index`` below ``size``."""
    return (f"\n\n@KERNEL\ndef {kernel}({', '.join(arguments)}):\n"
            f"    for {index} in {_each(target, size)}:\n"
            f"        {body}")


def _update_loops(target: str, formulas) -> str:
    """One loop per optimizer formula: p[i], states[i]... = formula(p[i], d[i], states[i]...,
    scalars...), in place (``updates``)."""
    parts = []
    functions = {f.name: f.function for f in formulas}
    for name, states in updates(formulas).items():
        parameters = list(inspect.signature(functions[name]).parameters)
        arrays, scalars = parameters[:2 + states], parameters[2 + states:]
        updated = ", ".join(f"{a}[i]" for a in arrays[:1] + arrays[2:])
        call = f"{name}({', '.join([f'{a}[i]' for a in arrays] + scalars)})"
        parts.append(_kernel(target, f"{name}_update", arrays + scalars, "p.size",
                             f"{updated} = {call}"))
    return "\n".join(parts) + "\n"


def _row_loops(target: str) -> str:
    """One loop per row-wise kernel, running its row body (``rows.py``) for every row."""
    signatures = {node.name: [a.arg for a in node.args.args]  # read, not imported: the
                  for node in ast.parse((HERE / "rows.py").read_text()).body  # decorator is
                  if isinstance(node, ast.FunctionDef)}                    # the target's
    parts = []
    for kernel, row in ROWS.items():
        arguments = signatures[row][:-1]
        parts.append(_kernel(target, kernel, arguments, f"{arguments[0]}.shape[0]",
                             f"{row}({', '.join(arguments)}, r)", index="r"))
    return "\n".join(parts) + "\n"


def _pointwise_maps(target: str, formulas) -> str:
    """One loop per pointwise formula, out[i] = formula(arrays[i]..., scalars...), one per
    bias epilogue, out[i] = f(z[i] + bias[i % bias.size], scalars...), and the selections."""
    parts, table = [], pointwise_table(formulas)
    for name, (arrays, scalars) in table.items():
        parts.append(_map(target, f"{name}_map", name, arrays, scalars,
                          [f"{a}[i]" for a in arrays]))
    for name in bias_epilogues(formulas):
        parts.append(_map(target, f"{name}_bias_map", name, ["z", "bias"], table[name][1],
                          ["z[i] + bias[i % bias.size]"]))
    for kernel, (arguments, element) in SELECTIONS.items():
        parts.append(_loop(target, kernel, arguments.split(), element))
    return "\n".join(parts) + "\n"


def _constants(formulas) -> dict:
    """The named coefficients the formulas read from their modules (``SQRT_HALF = 0.707...``),
    to be bound in the kernels' dtype; the same name must mean the same number everywhere."""
    constants = {}
    for f in formulas:
        for name in f.function.__code__.co_names:
            value = f.function.__globals__.get(name)
            if name.isupper() and type(value) is float and name not in DIALECT_CONSTANTS:
                if constants.setdefault(name, value) != value:
                    raise ValueError(f"formula {f.name}: {name} = {value} here, "
                                     f"{constants[name]} in another formula's module")
    return constants


def _definition(function) -> str:
    """A function's source from its ``def`` on: its decorators (``@formula(...)``) dropped."""
    lines = textwrap.dedent(inspect.getsource(function)).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("def "))
    return "\n".join(lines[start:])


def _formula_sources(formulas) -> str:
    """Every formula's source, decorated with FORMULA (the target's device-function maker),
    after the constants they read."""
    parts = [f"{name} = DTYPE({value!r})" for name, value in _constants(formulas).items()]
    for f in formulas:
        parts.append("\n\n@FORMULA\n" + _definition(f.function))
    return "\n".join(parts) + "\n"


def module_source(target: str, dtype: str, formulas) -> str:
    """The text of the kernel module for ``target`` ("cpu" | "cuda"), ``dtype`` and
    ``formulas`` (registered formulas: ``minigrad.ops.formula.FORMULAS``' values)."""
    tanh = "tanh_float32" if dtype == "float32" else "tanh_exact"
    marker = "# --- kernels below are copied into each target's module ---"
    rows, loops = ((HERE / name).read_text().split(marker, 1)[1]
                   for name in ("rows.py", f"loops_{target}.py"))
    return (_HEADERS[target].format(dtype=dtype, tanh=tanh) + "\n\n" +
            _formula_sources(formulas) + rows + loops +
            "\n\n# optimizer updates (compile.updates)" + _update_loops(target, formulas) +
            "\n\n# row-wise kernels (compile.ROWS)" + _row_loops(target) +
            "\n\n# pointwise maps (compile.pointwise_table, bias_epilogues, SELECTIONS)" +
            _pointwise_maps(target, formulas))


def kernels(target: str, dtype, formulas=None) -> types.ModuleType:
    """The module of compiled kernels for ``target``, ``dtype`` and ``formulas`` (by default
    every formula minigrad's ops have registered), written and imported on first use; Numba
    compiles each kernel on its first call, from its disk cache when it can."""
    if formulas is None:
        from minigrad.ops.formula import FORMULAS
        formulas = tuple(FORMULAS.values())
    return _kernels(target, np.dtype(dtype).name, tuple(formulas))


@functools.cache
def _kernels(target: str, dtype: str, formulas: tuple) -> types.ModuleType:
    if dtype not in ("float32", "float64"):
        raise TypeError(f"minigrad_kernels: no {dtype} kernels (float32 and float64 only)")
    source = module_source(target, dtype, formulas)
    # Numba's cache does not notice a change in a function the module calls (fast_math's
    # tanh is compiled into every loop): its source is part of the name too
    digest = hashlib.sha1((source + (HERE / "fast_math.py").read_text()).encode()).hexdigest()[:12]
    name = f"minigrad_kernels_{target}_{dtype}_{digest}"
    path = cache_folder() / f"{name}.py"
    if not path.exists() or path.read_text() != source:
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(source)
        os.replace(temporary, path)  # atomic: a parallel process never reads half a file
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
