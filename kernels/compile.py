"""Compiling the formulas: one source (``formulas.py``), a module of kernels per target.

For each target — ("cpu" | "cuda", dtype) — this writes a Python module into a cache folder:
the bindings of the formulas' names for that target (``tanh`` is ``math.tanh`` or a fast
float32 approximation, ``ONE`` is ``float32(1.0)``...), the source of every formula in
``formulas.py`` itself, decorated for Numba (``njit`` on the CPU, ``cuda.jit(device=True)``
on CUDA), and the loops that apply them to arrays: written here from one description for
both targets where only the loop header differs (the pointwise maps, the optimizer updates,
the row-wise kernels around ``rows.py``), copied from ``loops_cpu.py`` / ``loops_cuda.py``
where the strategy differs.  Then it imports that module.  Open one to see exactly what Numba compiles; they live in
``minigrad_kernels.compile.cache_folder()``.

Why a written-out module rather than functions made at run time: Numba's disk cache
(``cache=True``) keys compiled code by its source file, so a real file lets every later
process load the machine code instead of compiling again (the first use of a kernel costs
Numba 0.3–1 s; a cached one loads in milliseconds).  The module's name carries a hash of the
sources (and of ``fast_math.py``, which the loops call), so an edited formula gets a new
module, never a stale cache.  For arrays and Tensors
the formulas are bound directly (``bind``), without Numba.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import inspect
import os
import sys
import types
from pathlib import Path

import numpy as np

from . import formulas

HERE = Path(__file__).resolve().parent
NAMES = ("ZERO", "HALF", "ONE", "TWO", "exp", "expm1", "log", "log1p", "tanh", "sqrt", "erf",
         "select")


def bind(formula, **names):
    """``formula`` with its free names (``NAMES``) bound as given: the same code object, run
    on whatever those names compute with (scalars, arrays, Tensors)."""
    missing = set(NAMES) - set(names)
    if missing:
        raise TypeError(f"bind({formula.__name__}): no binding for {sorted(missing)}")
    return types.FunctionType(formula.__code__, {**formula.__globals__, **names},
                              formula.__name__, formula.__defaults__, formula.__closure__)


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
    "cpu": '''"""minigrad_kernels, target: CPU, {dtype} (written by minigrad_kernels.compile from
formulas.py, rows.py, loops_cpu.py and compile.py: edit those, not this file)."""
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
    "cuda": '''"""minigrad_kernels, target: CUDA, {dtype} (written by minigrad_kernels.compile from
formulas.py, rows.py, loops_cuda.py and compile.py: edit those, not this file)."""
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

POINTWISE = {  # formula: (its array arguments, its scalar arguments)
    "relu": ("x", ""), "relu_back": ("g z", ""), "leaky_relu": ("x", "slope"),
    "leaky_relu_back": ("g x", "slope"), "sigmoid": ("x", ""), "sigmoid_back": ("g z", ""),
    "tanh": ("x", ""), "tanh_back": ("g z", ""), "gelu": ("x", ""), "gelu_back": ("g x", ""),
    "gelu_tanh": ("x", ""), "gelu_tanh_back": ("g x", ""), "elu": ("x", "alpha"),
    "elu_back": ("g x", "alpha"), "silu": ("x", ""), "silu_back": ("g x", ""),
    "softplus": ("x", "beta threshold"), "softplus_back": ("g x", "beta threshold"),
}
"""The formulas that ``<name>_map(arrays..., scalars..., out)`` applies elementwise (``tanh``
is the target's own tanh, not a formula of ours)."""

BIAS_EPILOGUES = ("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "gelu_tanh")
"""The activations that ``<name>_bias_map(z, bias, scalars..., out)`` fuses with a bias add:
out = f(z + bias), the bias broadcast along the rows of a flat (rows, len(bias)) matrix."""

UPDATES = {"sgd": 0, "sgd_momentum": 1, "adam": 2, "adam_amsgrad": 3, "rmsprop": 1,
           "adagrad": 1, "adadelta": 2}
"""The optimizer formulas and how many state arrays each keeps (Adam: m and v).  A formula
takes (p, d, *states, *scalars) for one element and returns the new p and states;
``<name>_update(p, d, *states, *scalars)`` applies it to flat arrays in place."""

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


def _update_loops(target: str) -> str:
    """One loop per optimizer formula: p[i], states[i]... = formula(p[i], d[i], states[i]...,
    scalars...), in place (``UPDATES``)."""
    parts = []
    for name, states in UPDATES.items():
        parameters = list(inspect.signature(getattr(formulas, name)).parameters)
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


def _pointwise_maps(target: str) -> str:
    """One loop per pointwise formula, out[i] = formula(arrays[i]..., scalars...), one per
    bias epilogue, out[i] = f(z[i] + bias[i % bias.size], scalars...), and the selections."""
    parts = []
    for name, (arrays, scalars) in POINTWISE.items():
        arrays, scalars = arrays.split(), scalars.split()
        parts.append(_map(target, f"{name}_map", name, arrays, scalars,
                          [f"{a}[i]" for a in arrays]))
    for name in BIAS_EPILOGUES:
        parts.append(_map(target, f"{name}_bias_map", name, ["z", "bias"],
                          POINTWISE[name][1].split(), ["z[i] + bias[i % bias.size]"]))
    for kernel, (arguments, element) in SELECTIONS.items():
        parts.append(_loop(target, kernel, arguments.split(), element))
    return "\n".join(parts) + "\n"


def _formula_sources() -> str:
    """Every formula's source, decorated with FORMULA (the target's device-function maker)."""
    parts = [f"{name} = DTYPE({value!r})" for name, value in vars(formulas).items()
             if name.isupper() and isinstance(value, float)]
    for name in formulas.FORMULAS:
        parts.append("\n\n@FORMULA\n" + inspect.getsource(getattr(formulas, name)).strip())
    return "\n".join(parts) + "\n"


def module_source(target: str, dtype: str) -> str:
    """The text of the kernel module for ``target`` ("cpu" | "cuda") and ``dtype``."""
    tanh = "tanh_float32" if dtype == "float32" else "tanh_exact"
    marker = "# --- kernels below are copied into each target's module ---"
    rows, loops = ((HERE / name).read_text().split(marker, 1)[1]
                   for name in ("rows.py", f"loops_{target}.py"))
    return (_HEADERS[target].format(dtype=dtype, tanh=tanh) + "\n\n" + _formula_sources() +
            rows + loops + "\n\n# optimizer updates (compile.UPDATES)" + _update_loops(target) +
            "\n\n# row-wise kernels (compile.ROWS)" + _row_loops(target) +
            "\n\n# pointwise maps (compile.POINTWISE, BIAS_EPILOGUES, SELECTIONS)" +
            _pointwise_maps(target))


@functools.cache
def kernels(target: str, dtype) -> types.ModuleType:
    """The module of compiled kernels for ``target`` and ``dtype`` (written and imported on
    first use; Numba compiles each kernel on its first call, from its disk cache when it can)."""
    dtype = np.dtype(dtype).name
    if dtype not in ("float32", "float64"):
        raise TypeError(f"minigrad_kernels: no {dtype} kernels (float32 and float64 only)")
    source = module_source(target, dtype)
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
