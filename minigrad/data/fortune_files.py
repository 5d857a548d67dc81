"""Real text that installs offline: the quotations of the Unix ``fortune`` program.

Debian's ``fortunes`` and ``fortunes-min`` packages put about 16,000 quotations in about 40
files under ``/usr/share/games/fortunes/``, one file per category ("computers", "love",
"science", ...).  In a file the quotations are separated by lines holding a single ``%``; next
to each file, ``strfile`` has written an index ``<name>.dat``, which is how a category file is
told from the other files there.  The category is the label: "which file does this quotation
come from?" is a real text-classification task, written by people, with all the spelling,
jokes and attributions ("-- Mark Twain") of real text.

``fortunes()`` looks, in order, in ``root``, ``$MINIGRAD_FORTUNES``, and the usual install
folders; when none holds fortune files, the error says how to install them.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from .mnist_sets import DatasetNotFound

SYSTEM_FOLDERS = ("/usr/share/games/fortunes", "/usr/share/fortune", "/usr/share/fortunes",
                  "/usr/local/share/games/fortunes", "/opt/homebrew/share/fortune")
INSTALL_HINT = ("on Debian or Ubuntu: apt-get install fortunes fortunes-min; elsewhere point "
                "$MINIGRAD_FORTUNES at a folder of '%'-separated fortune files")
_OVERSTRIKE = re.compile(".\b")  # old terminals' bold/underline: a character, backspace, ...


def search_folders(root=None) -> list[Path]:
    """Where fortune files are looked for, in order."""
    folders = [Path(root)] if root is not None else []
    if os.environ.get("MINIGRAD_FORTUNES"):
        folders.append(Path(os.environ["MINIGRAD_FORTUNES"]))
    return folders + [Path(folder) for folder in SYSTEM_FOLDERS]


def category_files(root=None) -> dict[str, Path]:
    """{category: file} for the first folder that holds fortune files (a file with a
    ``.dat`` index beside it); a clear error naming every folder looked in when none does."""
    for folder in search_folders(root):
        if not folder.is_dir():
            continue
        files = {path.stem: path.with_suffix("") for path in sorted(folder.glob("*.dat"))
                 if path.with_suffix("").is_file()}
        if files:
            return files
    looked = ", ".join(str(folder) for folder in search_folders(root))
    raise DatasetNotFound(f"fortunes: no fortune files found (looked in {looked}); "
                          f"{INSTALL_HINT}")


def read_quotations(path) -> list[str]:
    """The quotations of one fortune file: split at ``%`` lines, overstriking removed,
    surrounding blank space stripped, empty entries dropped."""
    text = Path(path).read_bytes().decode("utf-8", errors="replace")
    text = _OVERSTRIKE.sub("", text)
    return [entry.strip() for entry in re.split(r"^%[ \t]*$", text, flags=re.MULTILINE)
            if entry.strip()]


def fortunes(categories=None, root=None, min_count: int = 1):
    """(texts, labels int64, names): every quotation of the chosen categories (all of them by
    default, or those with at least ``min_count`` quotations), labelled by the position of
    its category in ``names``.  A quotation that appears in two chosen categories says
    nothing about either and is dropped from both; repeats within one are kept once."""
    files = category_files(root)
    if categories is None:
        names = list(files)
    else:
        names = [categories] if isinstance(categories, str) else list(categories)
        unknown = [name for name in names if name not in files]
        if unknown:
            raise ValueError(f"fortunes: no category {unknown[0]!r}; the categories here are "
                             f"{', '.join(files)}")
    quotations = {name: list(dict.fromkeys(read_quotations(files[name]))) for name in names}
    names = [name for name in names if len(quotations[name]) >= min_count]
    owners: dict[str, set] = {}
    for name in names:
        for text in quotations[name]:
            owners.setdefault(text, set()).add(name)
    texts, labels = [], []
    for label, name in enumerate(names):
        for text in quotations[name]:
            if len(owners[text]) == 1:
                texts.append(text)
                labels.append(label)
    return texts, np.array(labels, dtype=np.int64), tuple(names)
