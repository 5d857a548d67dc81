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
    assert "✗ 03.3" in out and "hint: differentiate the square" in out


def test_hints_escalate_and_the_formula_comes_last(monkeypatch, capsys):
    """The first failure names the concept, the second adds the structure, the third the
    formula; reveal=True shows it at once.  Failures are counted per exercise, per user."""
    monkeypatch.delenv("MINIGRAD_EXERCISES_STRICT")
    concept, structure, formula = EXERCISES["02.1"].hints
    shown = []
    for _ in range(4):
        assert check("02.1", lambda x, grad: grad * x) is False
        shown.append(capsys.readouterr().out)
    assert concept in shown[0] and structure not in shown[0] and formula not in shown[0]
    assert structure in shown[1] and formula not in shown[1] and "reveal=True" in shown[1]
    assert formula in shown[2] and formula in shown[3] and "reveal=True" not in shown[2]
    check("02.2", lambda x, grad: grad, reveal=True)
    assert EXERCISES["02.2"].hints[2] in capsys.readouterr().out
    assert all(len(e.hints) == 3 and all(e.hints) for e in EXERCISES.values())


def test_the_stored_wrong_answers_get_specific_diagnoses():
    """Every typical wrong answer kept in lessons/solutions is named for what it gets wrong,
    never just 'it differs' or 'right at k of n elements'."""
    for key, exercise in EXERCISES.items():
        with pytest.raises(ExerciseFailed) as failure:
            check(key, load(SOLUTIONS / f"{key}.wrong.py", exercise.function))
        verdict = str(failure.value).split("\n  hint:")[0]
        assert "it differs from the right answer" not in verdict, verdict
        assert "elements; first wrong at" not in verdict, verdict


@pytest.mark.parametrize("key, answer, diagnosis", [
    ("01.2", lambda x, weight, bias, grad: (grad @ weight, grad.T @ x, grad.mean(axis=0)),
     "db: every value is 0.2 times the right one: 0.2 = 1/5, and 5 is x.shape[0] — a sum"),
    ("02.1", lambda x, grad: grad * x * (1 - x), "x used where σ(x) belongs"),
    ("02.1", lambda x, grad: 1 / (1 + np.exp(-x)) * (1 - 1 / (1 + np.exp(-x))),
     "the local derivative alone: multiply it by grad"),
    ("02.2", lambda x, grad: grad * (1 - x * x), "x used where tanh(x) belongs"),
    ("03.1", lambda x, grad: grad, "dx: it"),
    ("08.2", lambda x, grad: np.repeat(np.repeat(grad, 2, axis=2), 2, axis=3),
     "sent to every position of the window"),
    ("13.2", lambda length: np.where(np.tril(np.ones((length, length))) > 0, 0.0, -1e9),
     "−1e9 where −inf belongs"),
    ("13.3", lambda q, k, v: (lambda s: np.exp(s) / np.exp(s).sum(1, keepdims=True))(q @ k.T)
     @ v, "the 1/√d scale left out"),
])
def test_misconceptions_are_named_from_the_numbers(key, answer, diagnosis):
    with pytest.raises(ExerciseFailed, match=None) as failure:
        check(key, answer)
    assert diagnosis in str(failure.value)


def test_every_wrong_answer_is_reported_with_its_own_diagnosis():
    def linear_backward(x, weight, bias, grad):   # dx right, dW transposed, db averaged
        return grad @ weight, x.T @ grad, grad.mean(axis=0)
    with pytest.raises(ExerciseFailed) as failure:
        check("01.2", linear_backward)
    message = str(failure.value)
    assert "\n  dW: it has shape (3, 4) but should have (4, 3): it is transposed" in message
    assert "\n  db: every value is 0.2 times the right one" in message
    assert "dx:" not in message


def test_status_lists_every_exercise_from_the_recorded_verdicts(exercise_progress, capsys):
    from minigrad.exercises import progress, status
    assert main(["exercises", "status"]) == 0
    out = capsys.readouterr().out
    assert out.count("not tried") == len(EXERCISES) and f"0 of {len(EXERCISES)} passed" in out
    check("02.1", load(SOLUTIONS / "02.1.py", "sigmoid_backward"))
    for _ in range(2):
        with pytest.raises(ExerciseFailed):
            check("02.2", lambda x, grad: grad)
    assert progress.path() == exercise_progress and exercise_progress.is_file()
    states = {exercise.key: state for exercise, state in status()}
    assert states["02.1"] == "passed" and states["02.2"] == "failed 2 times"
    assert main(["exercises", "status"]) == 0
    out = capsys.readouterr().out
    assert "02.1  lesson 02 (gradient checking)" in out and "✓ passed" in out
    assert "failed 2 times" in out and f"1 of {len(EXERCISES)} passed" in out
    exercise_progress.write_text("{not json")          # a damaged file: nothing remembered,
    assert main(["exercises", "status"]) == 0           # and nothing breaks
    assert f"0 of {len(EXERCISES)} passed" in capsys.readouterr().out


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


def test_readmes_exercise_numbers_are_the_catalogs():
    import re
    readme = (ROOT / "README.md").read_text()
    total, most, gradients, others = re.search(
        r"hold (\d+) exercises \(two to (\w+) each\): (\d+) ask for a backward\s+formula, "
        r"gradient-checked .*?the other\s+(\d+) for", readme, re.S).groups()
    total, gradients, others = int(total), int(gradients), int(others)
    kinds = [exercise.kind for exercise in EXERCISES.values()]
    assert (total, gradients, others) == (len(kinds), kinds.count("gradient"),
                                          kinds.count("value"))
    lessons = sorted({exercise.lesson for exercise in EXERCISES.values()})
    assert f"Lessons {lessons[0]}–{lessons[-1]} hold" in readme
    per_lesson = [sum(e.lesson == n for e in EXERCISES.values()) for n in lessons]
    words = ("two", "three", "four", "five", "six", "seven", "eight", "nine")
    assert (min(per_lesson), words[max(per_lesson) - 2]) == (2, most)
    assert lessons == [f"{n:02d}" for n in range(1, 18)]         # every lesson 01-17


def test_the_catalog_is_large_enough_to_practise_every_lesson():
    """Issue 31's floor: at least 60 exercises, 35 of them gradient-checked, and two or more
    in every lesson 01-17."""
    kinds = [exercise.kind for exercise in EXERCISES.values()]
    assert len(kinds) >= 60 and kinds.count("gradient") >= 35
