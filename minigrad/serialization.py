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
import math
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
        if data.dtype.hasobject:
            raise TypeError(f"save: cannot store an array of Python objects (dtype object, "
                            f"shape {tuple(data.shape)}): it could only be written as a pickle, "
                            f"which load() refuses; convert it to numbers or strings first")
        kind, data = ("__tensor__" if isinstance(obj, Tensor) else "__array__"), to_device(data,
                                                                                         "cpu")
        if data.dtype.name == "bfloat16":  # .npz knows no bfloat16: its bits, as uint16
            kind, data = f"{kind[:-2]}_bfloat16__", data.view(np.uint16)
        arrays[key] = data
        return {kind: key}
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
    if kind in ("__array_bfloat16__", "__tensor_bfloat16__"):
        from .backend import bfloat16
        array = archive[value].view(bfloat16())
        return array if kind == "__array_bfloat16__" else Tensor._wrap(array, None)
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
    write_atomically(path, lambda file: np.savez(file, **arrays,
                                                 **{STRUCTURE_KEY: np.array(structure)}))


def write_atomically(path, write) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it onto ``path``:
    readers see the old file or the new one, never half of one; a failure (or a kill) leaves
    the old file intact, and the next write removes the temporary one."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    for stale in folder.glob(f".{path.name}.*.tmp"):  # left by a write that was killed
        stale.unlink(missing_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # the mode a plain open() would give, not 0600
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
        _check_members(path)
        if hasattr(path, "seek"):
            path.seek(0)
        with np.load(path, allow_pickle=False) as archive:
            contents = {key: archive[key] for key in archive.files}
        if STRUCTURE_KEY not in contents:
            raise CheckpointError(f"{path} is an .npz archive but not a minigrad checkpoint (no "
                                  f"{STRUCTURE_KEY} entry; a PyTorch .pt pickle looks like this "
                                  f"too, and is never read)")
        document = json.loads(str(contents.pop(STRUCTURE_KEY)))
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise CheckpointError(f"{path}: unsupported checkpoint format "
                                  f"{document.get('format') if isinstance(document, dict) else document!r}")
        return _decode(document["object"], contents)
    except (FileNotFoundError, CheckpointError):
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, TypeError,
            AttributeError, IndexError, RecursionError, MemoryError, UnicodeError) as err:
        raise CheckpointError(f"{path} is not a readable minigrad checkpoint (truncated, "
                              f"corrupted or foreign): {type(err).__name__}: {err}") from None


def _check_members(path) -> None:
    """Before any array is read: every member is an uncompressed ``.npy`` array of plain
    values whose header claims no more bytes than the member holds.  So a damaged or hostile
    file can never make ``load`` allocate more than the file's own size."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
                raise CheckpointError(f"{path} is not a minigrad checkpoint: member "
                                      f"{info.filename!r} is not an uncompressed .npy array "
                                      f"(a PyTorch pickle? minigrad never reads pickles)")
            with archive.open(info) as member:
                version = np.lib.format.read_magic(member)
                read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                    np.lib.format.read_array_header_2_0
                shape, _, dtype = read_header(member)
            claimed = math.prod(shape) * dtype.itemsize
            if dtype.hasobject or claimed > info.file_size:
                raise CheckpointError(f"{path}: member {info.filename!r} claims "
                                      f"{'Python objects' if dtype.hasobject else f'{claimed} bytes'}"
                                      f" in {info.file_size} bytes")
