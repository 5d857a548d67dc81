"""A learner's progress through the exercises, kept per user, never in the package.

Every ``check`` records its verdict here: whether the exercise has been passed, and how many
times it failed (which decides how much of the hint the next failure shows).  The file is
``$MINIGRAD_PROGRESS`` when set, else ``progress/exercises.json`` under the user's data folder
(``$XDG_DATA_HOME/minigrad``, by default ``~/.local/share/minigrad``).  It is JSON, written
atomically (a temporary file renamed over it), so an interrupted write never loses it; a
file that cannot be read or written leaves the checker working, without memory.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def path() -> Path:
    """Where this user's progress is kept."""
    if os.environ.get("MINIGRAD_PROGRESS"):
        return Path(os.environ["MINIGRAD_PROGRESS"])
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "minigrad" / "progress" / "exercises.json"


def load() -> dict:
    """{key: {"passed": bool, "failures": int}} for every exercise tried so far."""
    try:
        entries = json.loads(path().read_text())
    except (OSError, ValueError):
        return {}
    return entries if isinstance(entries, dict) else {}


def record(key: str, passed: bool) -> int:
    """Record one verdict for exercise ``key``; returns its failures so far."""
    entries = load()
    entry = entries.setdefault(key, {"passed": False, "failures": 0})
    entry["passed"] = entry["passed"] or passed
    entry["failures"] += 0 if passed else 1
    _write(entries)
    return entry["failures"]


def _write(entries: dict) -> None:
    target = path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(handle, "w") as file:
            json.dump(entries, file, indent=1, sort_keys=True)
        os.replace(temporary, target)
    except OSError:
        return  # a read-only home: the checker still works, it just cannot remember
