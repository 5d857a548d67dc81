"""Checkpoints: ``minigrad.save(obj, path)`` and ``minigrad.load(path)``.

A checkpoint is one ``.npz`` file.  Every array (or Tensor) in the nested object becomes one
entry of the archive; everything else (dict structure, lists, tuples, numbers, strings, None) is
described by a JSON document stored as a string entry.  ``load`` opens the archive with
``allow_pickle=False``: reading a file can never run code.  ``save`` writes to a temporary file
in the same folder and renames it over the target only once it is complete, so an interrupted
save leaves the previous checkpoint intact.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .backend import to_device
from .tensor import Tensor

STRUCTURE_KEY = "__minigrad_structure__"
FORMAT = "minigrad-checkpoint-1"


class CheckpointError(ValueError):
    """A file that is not a readable minigrad checkpoint."""


def _encode(obj, arrays: dict):
    """The JSON description of ``obj``; arrays are moved into ``arrays`` under fresh keys."""
    if isinstance(obj, (Tensor, np.ndarray)) or hasattr(obj, "__cuda_array_interface__"):
        key = f"a{len(arrays)}"
        data = obj.array if isinstance(obj, Tensor) else obj
        arrays[key] = to_device(data, "cpu")
        return {"__tensor__" if isinstance(obj, Tensor) else "__array__": key}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {"__dict__": {k: _encode(v, arrays) for k, v in obj.items()}}
        return {"__items__": [[_encode(k, arrays), _encode(v, arrays)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, arrays) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, arrays) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if hasattr(obj, "state_dict") and hasattr(obj, "parameters"):
        raise TypeError(f"save: cannot store a whole {type(obj).__name__} module (PyTorch "
                        f"pickles it; minigrad never writes or reads pickles, so that loading "
                        f"cannot run code): save model.state_dict() and load it into a new "
                        f"model with load_state_dict()")
    raise TypeError(f"save: cannot store an object of type {type(obj).__name__} (checkpoints "
                    f"hold arrays, tensors, numbers, strings, None, lists, tuples and dicts)")


def _decode(node, archive):
    if isinstance(node, list):
        return [_decode(v, archive) for v in node]
    if not isinstance(node, dict):
        return node
    (kind, value), = node.items()
    if kind == "__array__":
        return archive[value]
    if kind == "__tensor__":
        return Tensor._wrap(archive[value], None)
    if kind == "__tuple__":
        return tuple(_decode(v, archive) for v in value)
    if kind == "__dict__":
        return {k: _decode(v, archive) for k, v in value.items()}
    if kind == "__items__":
        return {_decode(k, archive): _decode(v, archive) for k, v in value}
    raise CheckpointError(f"unknown entry {kind!r} in the checkpoint structure")


def save(obj, path) -> None:
    """Write ``obj`` (e.g. ``{"model": model.state_dict(), "optimizer": opt.state_dict()}``)
    to ``path`` atomically, or into an open binary file.  Any file name works (``.pt`` and
    ``.pth`` included, as PyTorch scripts use them): the content is always this ``.npz``
    checkpoint, never a pickle."""
    arrays: dict = {}
    structure = json.dumps({"format": FORMAT, "object": _encode(obj, arrays)})
    if hasattr(path, "write"):  # an open file: written in place
        np.savez(path, **arrays, **{STRUCTURE_KEY: np.array(structure)})
        return
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                         dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays, **{STRUCTURE_KEY: np.array(structure)})
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def load(path, map_location=None, weights_only: bool = True):
    """Read a checkpoint written by ``save`` (a path or an open binary file); arrays come back
    as NumPy arrays and tensors as Tensors (on ``map_location`` when given).  A truncated,
    corrupted or foreign file (a PyTorch pickle included) raises CheckpointError naming the
    file.  ``weights_only`` is accepted for PyTorch's signature: loading never runs code."""
    result = _load(path)
    if map_location is None:
        return result
    from .backend import normalize_device
    return _moved(result, normalize_device(map_location))


def _moved(obj, device: str):
    """Every Tensor in a loaded structure moved to ``device``."""
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, dict):
        return {k: _moved(v, device) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_moved(v, device) for v in obj)
    return obj


def _load(path):
    path = path if hasattr(path, "read") else Path(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            contents = {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:
        raise CheckpointError(f"{path} is not a readable minigrad checkpoint (truncated or "
                              f"corrupted?): {err}") from None
    if STRUCTURE_KEY not in contents:
        raise CheckpointError(f"{path} is an .npz archive but not a minigrad checkpoint (no "
                              f"{STRUCTURE_KEY} entry)")
    try:
        document = json.loads(str(contents.pop(STRUCTURE_KEY)))
        if document.get("format") != FORMAT:
            raise CheckpointError(f"{path}: unsupported checkpoint format {document.get('format')!r}")
        return _decode(document["object"], contents)
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
        raise CheckpointError(f"{path}: the checkpoint's structure is damaged: {err}") from None
