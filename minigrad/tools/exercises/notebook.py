"""Exercises inside lesson notebooks: find them, run a notebook, put solutions in.

An exercise cell carries ``"exercise": "<key>"`` (and the tag ``exercise``) in its metadata.
``run(path)`` executes a notebook's code cells in order (quick mode, figures off screen) and
reports each of its exercises as passed, failed or not reached; ``with_solutions`` replaces
every exercise cell by its solution from ``lessons/solutions/<key>.py``.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path

from ..course import syllabus

SOLUTIONS = syllabus.FOLDER / "solutions"


def read(path) -> dict:
    return json.loads(Path(path).read_text())


def exercise_keys(notebook: dict) -> list:
    return [cell["metadata"]["exercise"] for cell in notebook["cells"]
            if cell["cell_type"] == "code" and "exercise" in cell.get("metadata", {})]


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def with_solutions(notebook: dict, folder: Path = SOLUTIONS) -> dict:
    """A copy of ``notebook`` whose exercise cells hold the solutions."""
    notebook = json.loads(json.dumps(notebook))
    for cell in notebook["cells"]:
        key = cell.get("metadata", {}).get("exercise")
        if cell["cell_type"] == "code" and key:
            cell["source"] = (folder / f"{key}.py").read_text()
    return notebook


def run(path, quick: bool = True) -> dict:
    """{key: True (passed) | False (wrong) | None (not reached)} for the exercises of the
    notebook at ``path``, executing its cells in order until one raises."""
    notebook = read(path)
    results = {key: None for key in exercise_keys(notebook)}
    quick_mode = {"MINIGRAD_QUICK": "1"} if quick else {}
    with tempfile.TemporaryDirectory() as folder, environment(
            MINIGRAD_EXERCISE_LOG=str(Path(folder) / "log"), MPLBACKEND="Agg", **quick_mode):
        log = Path(folder) / "log"
        namespace = {"__name__": "__main__"}
        with contextlib.redirect_stdout(io.StringIO()), _working_directory(folder):
            for cell in notebook["cells"]:
                if cell["cell_type"] != "code":
                    continue
                try:
                    exec(compile(source(cell), str(path), "exec"), namespace)
                except Exception:  # the learner's notebook stops here, as Run All would
                    break
        if log.exists():
            for line in log.read_text().splitlines():
                entry = json.loads(line)
                results[entry["key"]] = entry["passed"]
    return results


@contextlib.contextmanager
def environment(**changes: str):
    """Set environment variables for the duration of a ``with``, then put back what was there
    (a kernel or worker started inside inherits them)."""
    saved = {k: os.environ.get(k) for k in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _working_directory(folder):
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)
