"""The layout: the engine at the top of minigrad/, what is built on it in minigrad/tools/,
PyTorch's compatibility names in minigrad/compat/ — and every module under its public name."""
import importlib
import subprocess
import sys

import pytest

import minigrad
from minigrad.public_names import MOVED


@pytest.mark.parametrize("public", sorted(MOVED))
def test_each_moved_module_keeps_its_public_name(public):
    module = importlib.import_module(public)
    assert module is importlib.import_module(MOVED[public])
    assert module.__spec__.name == MOVED[public] and module.__name__ == MOVED[public]


def test_submodules_and_attributes_under_the_public_name():
    from minigrad.exercises.catalog import EXERCISES   # a submodule of a moved package
    from minigrad.tools.exercises import catalog
    assert EXERCISES is catalog.EXERCISES
    import minigrad.backends.cudnn
    assert minigrad.backends.cudnn is minigrad.compat.backends.cudnn
    assert minigrad.train is minigrad.tools.train       # the attribute of the package too


def test_the_engine_imports_no_tool():
    """``import minigrad`` loads the engine only: no module of tools/ until one is asked for."""
    code = ("import sys, minigrad, minigrad.nn, minigrad.optim, minigrad.functional; "
            "print(sorted(m for m in sys.modules if m.startswith('minigrad.tools')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_an_unknown_name_is_still_an_import_error():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("minigrad.no_such_module")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("minigrad.exercises.no_such_module")
