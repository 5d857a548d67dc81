"""The public names of modules that live in a folder of their own.

The engine (tensors, autograd, ops, devices, nn, optim...) sits at the top of ``minigrad/``;
what is built on it — the command line, the training loop, runs, plots, deploy, metrics, the
GPU check, the experiments, the course and the exercises — lives in ``minigrad/tools/``, and
PyTorch's compatibility flags (``torch.backends.cudnn``...) in ``minigrad/compat/``.  Those
modules keep the names lessons, scripts and README import them by: ``minigrad.train`` is
``minigrad.tools.train``, ``minigrad.backends.cudnn`` is ``minigrad.compat.backends.cudnn``.
Importing the public name loads the module from its folder and registers it under both names
(one module object), when first imported: nothing here loads a tool early.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

TOOLS = ("cli", "course", "deploy", "exercises", "experiments", "gpu_check", "interrupt",
         "metrics", "opcheck", "runs", "train", "viz")
MOVED = {**{f"minigrad.{name}": f"minigrad.tools.{name}" for name in TOOLS},
         "minigrad.backends": "minigrad.compat.backends"}
"""Public module name: where the module is."""


def located(name: str) -> str | None:
    """Where the module of public name ``name`` (or of a submodule of one) is; None for a
    module that is where its name says."""
    for public, real in MOVED.items():
        if name == public or name.startswith(public + "."):
            return real + name[len(public):]
    return None


class PublicNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """A finder for the public names in ``MOVED``: the module is the one at its real name
    (imported under that name first, so it runs once)."""

    def __init__(self):
        self.specs = {}  # public name: the real module's own spec, restored after loading

    def find_spec(self, name, path=None, target=None):
        real = located(name)
        if real is None:
            return None
        module = importlib.import_module(real)
        self.specs[name] = module.__spec__
        return importlib.util.spec_from_loader(name, self,
                                               is_package=hasattr(module, "__path__"))

    def create_module(self, spec):
        return sys.modules[located(spec.name)]

    def exec_module(self, module):
        """Nothing runs again; the module keeps its own spec (the import system set ours)."""
        module.__spec__ = self.specs.pop(module.__spec__.name)


def install() -> None:
    if not any(isinstance(finder, PublicNames) for finder in sys.meta_path):
        sys.meta_path.insert(0, PublicNames())
