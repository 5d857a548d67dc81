"""Shared test settings: hypothesis profiles and the float64 PyTorch comparison helpers."""
import os
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# "default" (CI) draws the same examples every run, so a result never depends on luck;
# HYPOTHESIS_PROFILE=thorough explores many fresh random examples.
settings.register_profile("default", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def exercise_progress(tmp_path, monkeypatch):
    """Each test keeps its exercise verdicts in its own file (minigrad.exercises.progress),
    never in the user's data folder; lessons run in a kernel inherit it."""
    path = tmp_path / "exercise-progress.json"
    monkeypatch.setenv("MINIGRAD_PROGRESS", str(path))
    return path


# ----------------------------------------------------------------------------- the cuda device
FAKE_CUPY = os.path.join(os.path.dirname(__file__), "fake_cupy")


def _cupy_modules() -> list:
    return [name for name in sys.modules if name.split(".")[0] in ("cupy", "cupyx")]


_STAND_IN: dict = {}  # the stand-in's modules, imported once, reinstalled for each test


@pytest.fixture
def cuda(monkeypatch):
    """'cuda' for one test: real CuPy when a GPU is present, otherwise the strict CuPy stand-in
    (tests/fake_cupy) imported as ``cupy`` for the test's duration.  With
    ``MINIGRAD_REQUIRE_GPU=1`` a missing GPU is a failure instead."""
    import minigrad
    if minigrad.cuda.is_available():
        yield "cuda"
        return
    if os.environ.get("MINIGRAD_REQUIRE_GPU") == "1":
        pytest.fail("MINIGRAD_REQUIRE_GPU=1 but no GPU is usable: refusing the CuPy stand-in")
    for name in _cupy_modules():
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(FAKE_CUPY)
    sys.modules.update(_STAND_IN)
    import cupy
    import cupyx.scipy.special  # noqa: F401
    assert getattr(cupy, "STAND_IN", False), cupy.__file__
    _STAND_IN.update({name: sys.modules[name] for name in _cupy_modules()})
    yield "cuda"
    for name in _cupy_modules():
        del sys.modules[name]


@pytest.fixture(params=["cpu", "cuda"])
def device(request):
    """Each device in turn: 'cpu', and 'cuda' (a GPU, or the stand-in; see ``cuda``)."""
    if request.param == "cuda":
        request.getfixturevalue("cuda")
    return request.param


# ----------------------------------------------------------------------------- real-text stand-in
def write_fortune_files(folder, categories: dict) -> None:
    """Fortune files as Debian installs them: '%'-separated quotations, an index beside each."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, quotations in categories.items():
        (folder / name).write_text("\n%\n".join(quotations) + "\n%\n")
        (folder / f"{name}.dat").write_bytes(b"")


@pytest.fixture
def review_fortunes(tmp_path, monkeypatch):
    """The generated two-clause reviews (a small, easy fixture) as two fortune categories,
    'negative' and 'positive', found first through $MINIGRAD_FORTUNES."""
    from minigrad.data import sentiment_corpus
    texts, labels = sentiment_corpus(1500, seed=0)
    write_fortune_files(tmp_path / "fortunes", {
        "negative": [t for t, y in zip(texts, labels) if y == 0],
        "positive": [t for t, y in zip(texts, labels) if y == 1]})
    monkeypatch.setenv("MINIGRAD_FORTUNES", str(tmp_path / "fortunes"))
    return ("negative", "positive")


# ----------------------------------------------------------------------------- the lessons
_EXECUTED: dict = {}


@pytest.fixture(scope="session")
def executed_lesson():
    """``executed_lesson(path)``: the lesson run as the course is built from it (quick mode,
    solutions in, the checker strict, exercises put back as stubs), once per test session —
    test_lessons asserts it ran, test_course renders it.  A failed run is returned as its
    ``LessonFailed``."""
    from minigrad.course.execute import LessonFailed, run_lessons

    def run(path):
        if path not in _EXECUTED:
            try:
                _EXECUTED[path] = run_lessons([path], quick=True, report=lambda line: None)[path]
            except LessonFailed as error:
                _EXECUTED[path] = error
        return _EXECUTED[path]
    return run
