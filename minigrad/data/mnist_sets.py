"""MNIST and Fashion-MNIST: find the IDX files, or download and verify them.

``mnist()`` / ``fashion_mnist()`` look for the four files, in order, in ``root``,
``$MINIGRAD_DATA``, ``~/.cache/minigrad`` and ``/usr/share/datasets/<name>`` (Debian's
``dataset-fashion-mnist`` package installs Fashion-MNIST there), each folder also checked for a
``<name>`` subfolder.  If they are missing and ``download`` is true, each file is fetched from
the official mirrors into ``~/.cache/minigrad/<name>`` (or ``root``) and its MD5 checked before
it is kept; otherwise, or when no mirror is reachable, the error lists every place looked and
how to get the files.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

from .idx import load_idx

FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}

DATASETS = {
    "mnist": {
        "mirrors": ["https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "https://yann.lecun.com/exdb/mnist/"],
        "md5": {"train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
                "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
                "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c"},
        "hint": "MNIST: put the four IDX files in $MINIGRAD_DATA/mnist",
    },
    "fashion-mnist": {
        "mirrors": ["https://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        "md5": {"train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
                "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
                "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310"},
        "hint": "Fashion-MNIST on Debian: apt-get install dataset-fashion-mnist",
    },
}

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot")


CACHE = Path.home() / ".cache" / "minigrad"


class DatasetNotFound(FileNotFoundError):
    """The data set's files are neither present nor downloadable."""


def search_folders(name: str, root=None) -> list[Path]:
    """Where the files of data set ``name`` are looked for, in order."""
    bases = [Path(root)] if root is not None else []
    if os.environ.get("MINIGRAD_DATA"):
        bases.append(Path(os.environ["MINIGRAD_DATA"]))
    bases += [CACHE, Path("/usr/share/datasets")]
    folders = []
    for base in bases:
        folders += [base / name, base]
    return folders


def _find(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.is_file():
            return candidate
    return None


def _download(name: str, filename: str, folder: Path) -> Path:
    """Fetch one file from the first mirror that answers; keep it only if its MD5 matches."""
    spec = DATASETS[name]
    folder.mkdir(parents=True, exist_ok=True)
    errors = []
    for mirror in spec["mirrors"]:
        try:
            with urllib.request.urlopen(mirror + filename, timeout=30) as response:
                payload = response.read()
        except OSError as err:
            errors.append(f"{mirror}{filename}: {err}")
            continue
        digest = hashlib.md5(payload).hexdigest()
        if digest != spec["md5"][filename]:
            errors.append(f"{mirror}{filename}: checksum {digest} != {spec['md5'][filename]}")
            continue
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
        target = folder / filename
        os.replace(temporary, target)
        return target
    raise OSError("; ".join(errors))


def load_split(name: str, train: bool = True, root=None, download: bool = True):
    """(images uint8 (N, 28, 28), labels int64 (N,)) of one split of ``name``."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}: expected one of {sorted(DATASETS)}")
    folders = search_folders(name, root)
    paths = []
    for stem in FILES["train" if train else "test"]:
        found = next((p for p in (_find(f, stem) for f in folders) if p), None)
        if found is None and download:
            target = Path(root if root is not None else CACHE) / name
            try:
                found = _download(name, f"{stem}.gz", target)
            except OSError as err:
                raise DatasetNotFound(_not_found(name, stem, folders, f"download failed: {err}"))
        if found is None:
            raise DatasetNotFound(_not_found(name, stem, folders, "download=False"))
        paths.append(found)
    images, labels = load_idx(paths[0]), load_idx(paths[1])
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"{name}: images {images.shape} and labels {labels.shape} do not match")
    if images.dtype != np.uint8 or labels.dtype != np.uint8:
        raise ValueError(f"{name}: expected uint8 images and labels, got {images.dtype} "
                         f"({paths[0]}) and {labels.dtype} ({paths[1]})")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{name}: labels must be classes 0..9; {paths[1]} holds values up to "
                         f"{int(labels.max())}")
    return images, labels.astype(np.int64)


def _not_found(name: str, stem: str, folders: list, reason: str) -> str:
    looked = "\n  ".join(str(f) for f in folders)
    return (f"{name}: {stem}(.gz) not found ({reason}). Looked in:\n  {looked}\n"
            f"To get it: {DATASETS[name]['hint']}, or place the files in one of those folders.")


def mnist(root=None, train: bool = True, download: bool = True):
    """MNIST handwritten digits: (images uint8 (N, 28, 28), labels int64)."""
    return load_split("mnist", train, root, download)


def fashion_mnist(root=None, train: bool = True, download: bool = True):
    """Fashion-MNIST clothing images (same format and sizes as MNIST)."""
    return load_split("fashion-mnist", train, root, download)
