"""Run the lessons as the test suite runs them, then put every exercise back as an exercise.

A lesson runs top to bottom in a fresh kernel with the solutions of its exercises put in and
the checker strict (a wrong solution stops the build), in quick mode when asked.  The learner's
progress file is never touched: the checks record into a temporary one.  Afterwards each
exercise cell holds its stub again, with no output, and each ``check(...)`` cell loses the
verdict the solution earned — the page shows the exercise, never its answer.
"""
from __future__ import annotations

import concurrent.futures
import os
import re
import tempfile
import time
from pathlib import Path

from ..exercises.notebook import environment, with_solutions

THREAD_SETTINGS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                   "NUMBA_NUM_THREADS")
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
CHECK_CALL = re.compile(r'^\s*check\(\s*"(?P<key>\d\d\.\d+)"', re.MULTILINE)


class LessonFailed(RuntimeError):
    """A lesson raised while the course was being built."""


def run_lessons(paths, quick: bool, jobs: int = 1, timeout: int = 3600, report=print) -> dict:
    """{path: the executed notebook, exercises as stubs} for every lesson in ``paths``, ``jobs``
    lessons at a time; raises ``LessonFailed`` naming the first lesson that failed."""
    # figures as a learner sees them in JupyterLab: inline PNGs in the outputs
    settings = {"MPLBACKEND": "module://matplotlib_inline.backend_inline",
                "MINIGRAD_EXERCISES_STRICT": "1"}
    if quick:
        settings["MINIGRAD_QUICK"] = "1"
    if jobs > 1:  # kernels side by side share the cores instead of each claiming all of them
        threads = str(max(1, (os.cpu_count() or 1) // jobs))
        settings.update({name: threads for name in THREAD_SETTINGS})
    with tempfile.TemporaryDirectory() as folder, environment(
            MINIGRAD_PROGRESS=str(Path(folder) / "progress.json"), **settings):
        # threads are enough: each lesson runs in its own kernel process
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            executed = _in_turn(pool, paths, lambda path: _execute(str(path), folder, timeout),
                                jobs, report)
    return {Path(path): executed[Path(path)] for path in paths}


def _in_turn(pool, paths, run, jobs: int, report) -> dict:
    """{path: run(path)}, ``jobs`` at a time; a lesson starts only when another has succeeded,
    so after a failure (or a Ctrl-C) none starts — the ones running finish."""
    import nbformat
    waiting, running, executed = iter(paths), {}, {}
    started = time.perf_counter()

    def start_next():
        path = next(waiting, None)
        if path is not None:
            running[pool.submit(run, path)] = Path(path)
    for _ in range(jobs):
        start_next()
    while running:
        finished, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
        for future in finished:
            path = running.pop(future)
            executed[path] = nbformat.from_dict(future.result())
            report(f"  ran {path.stem} ({time.perf_counter() - started:.0f} s)")
            start_next()
    return executed


def _execute(path: str, folder: str, timeout: int) -> dict:
    """One lesson, executed in a kernel whose working folder is a fresh one under ``folder``."""
    import nbclient
    import nbformat
    from jupyter_client.manager import KernelManager
    original = nbformat.read(path, as_version=4)
    notebook = nbformat.from_dict(with_solutions(original))
    workdir = Path(tempfile.mkdtemp(dir=folder))
    # the kernel talks over Unix sockets in workdir: nothing listens on the network
    kernel = KernelManager(kernel_name="python3", transport="ipc", ip=str(workdir / "kernel"))
    client = nbclient.NotebookClient(notebook, km=kernel, timeout=timeout,
                                     resources={"metadata": {"path": str(workdir)}})
    try:
        client.execute()
    except Exception as error:  # a cell's error (ename, evalue), a timeout, a dead kernel
        what = f"{error.ename}: {error.evalue}" if hasattr(error, "ename") else type(error).__name__
        raise LessonFailed(f"lesson {Path(path).stem} failed: {what}\n"
                           f"{ANSI_COLOUR.sub('', str(error))}") from None
    finally:
        if kernel.has_kernel:
            kernel.shutdown_kernel(now=True)
    return as_exercises(notebook, original)


def as_exercises(executed, original) -> dict:
    """``executed`` with the exercise cells of ``original`` (their stubs) back in place, and
    neither the exercises nor their checks showing an output."""
    for cell, stub in zip(executed.cells, original.cells):
        if cell.cell_type != "code":
            continue
        if cell.metadata.get("exercise"):
            cell.source = stub.source
        if cell.metadata.get("exercise") or CHECK_CALL.search(cell.source):
            cell.outputs, cell.execution_count = [], None
    return executed
