"""The exercises' checker: every solution passes, every stub and every typical wrong answer
kept beside the solution fails with the diagnosis it should print, every exercise sits in
one lesson, and the diagnoses themselves are right on constructed mistakes."""
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from minigrad.cli import main
from minigrad.exercises import EXERCISES, ExerciseFailed, check, diagnose
from minigrad.exercises.notebook import exercise_keys, read, run, source, with_solutions

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "lessons" / "solutions"
LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))


def load(path: Path, name: str):
    namespace = {"np": np}
    exec(path.read_text(), namespace)
    return namespace[name]


def stub_cells() -> dict:
    cells = {}
    for lesson in LESSONS:
        for cell in read(lesson)["cells"]:
            key = cell.get("metadata", {}).get("exercise")
            if key:
                cells[key] = (lesson, source(cell))
    return cells


@pytest.fixture(autouse=True)
def strict(monkeypatch):
    monkeypatch.setenv("MINIGRAD_EXERCISES_STRICT", "1")


@pytest.mark.parametrize("key", EXERCISES)
def test_the_solution_passes(key, capsys):
    assert check(key, load(SOLUTIONS / f"{key}.py", EXERCISES[key].function))
    assert f"✓ {key}" in capsys.readouterr().out


@pytest.mark.parametrize("key", EXERCISES)
def test_the_typical_wrong_answer_is_diagnosed(key):
    path = SOLUTIONS / f"{key}.wrong.py"
    diagnosis = path.read_text().splitlines()[0].split("diagnosis:")[1].strip()
    with pytest.raises(ExerciseFailed) as failure:
        check(key, load(path, EXERCISES[key].function))
    assert diagnosis in str(failure.value) and "hint:" in str(failure.value)


@pytest.mark.parametrize("key", EXERCISES)
def test_the_stub_in_the_lesson_is_rejected(key):
    lesson, stub = stub_cells()[key]
    assert key.split(".")[0] == lesson.name[:2]
    namespace = {"np": np}
    exec(stub, namespace)
    with pytest.raises(ExerciseFailed, match="not written yet"):
        check(key, namespace[EXERCISES[key].function])


def test_every_exercise_is_in_exactly_one_lesson():
    keys = [key for lesson in LESSONS for key in exercise_keys(read(lesson))]
    assert sorted(keys) == sorted(EXERCISES) and len(keys) == len(set(keys))


def test_without_strict_mode_a_wrong_answer_prints_and_the_lesson_goes_on(monkeypatch,
                                                                           capsys):
    monkeypatch.delenv("MINIGRAD_EXERCISES_STRICT")
    assert check("03.3", lambda prediction, target: prediction - target) is False
    out = capsys.readouterr().out
    assert "✗ 03.3" in out and "hint: L = (1/n)" in out


def test_answers_that_crash_or_return_the_wrong_count_are_explained():
    with pytest.raises(ExerciseFailed, match="it raised ZeroDivisionError"):
        check("02.1", lambda x, grad: 1 / 0)
    with pytest.raises(ExerciseFailed, match="returned 1 value"):
        check("02.3", lambda x, b, grad: grad)
    with pytest.raises(ExerciseFailed, match="returned nothing"):
        check("02.2", lambda x, grad: None)
    with pytest.raises(KeyError, match="no exercise '99.9'"):
        check("99.9", print)


# ----------------------------------------------------------------------------- diagnoses

arrays = st.integers(2, 5).flatmap(lambda n: st.integers(2, 5).map(
    lambda m: np.random.default_rng(n * 7 + m).uniform(0.5, 2, (n, m)) *
    np.random.default_rng(m).choice([-1, 1], (n, m))))


@settings(max_examples=30, deadline=None)
@given(want=arrays, factor=st.sampled_from([2.0, 0.5, 3.0, -1.0]))
def test_constant_factors_and_signs_are_named(want, factor):
    text = diagnose(want * factor, want)
    if factor == -1.0:
        assert "sign is flipped" in text
    else:
        assert f"{factor:.4g} times the right one" in text


@settings(max_examples=20, deadline=None)
@given(want=arrays)
def test_missing_broadcast_sums_transposes_and_nans(want):
    rows = np.repeat(want[:1] / len(want), len(want), axis=0)
    assert "sum it over the broadcast axes (0,)" in diagnose(rows, rows.sum(axis=0))
    assert "transposed" in diagnose(want.T, want)
    broken = want.copy()
    broken[1, 1] = np.nan
    assert "nan" in diagnose(broken, want)
    assert "zero everywhere" in diagnose(np.zeros_like(want), want)


def test_right_only_on_one_side_names_the_side():
    x = np.linspace(-2, 2, 9)
    want = np.where(x > 0, 1.0, 0.1)
    got = np.where(x > 0, 1.0, 0.5)
    assert "right exactly where x > 0 and wrong elsewhere" in diagnose(got, want, {"x": x})
    y = np.linspace(-2, 2, 8)  # no zero: wrong exactly where y < 0
    assert "wrong exactly where y < 0" in diagnose(np.where(y > 0, 1.0, 0.5),
                                                   np.where(y > 0, 1.0, 0.1), {"y": y})


# ----------------------------------------------------------------------------- the command


def test_minigrad_exercises_lists_and_checks(tmp_path, capsys):
    assert main(["exercises"]) == 0
    listing = capsys.readouterr().out
    assert all(key in listing for key in EXERCISES)
    lesson = ROOT / "lessons" / "02_gradient_checking.ipynb"
    solved = tmp_path / "solved.ipynb"
    solved.write_text(json.dumps(with_solutions(read(lesson))))
    assert main(["exercises", "check", str(solved)]) == 0
    assert capsys.readouterr().out.count("✓ right") == 3
    assert main(["exercises", "check", str(lesson)]) == 1
    assert "✗ not yet right" in capsys.readouterr().out
    assert run(solved) == {"02.1": True, "02.2": True, "02.3": True}
