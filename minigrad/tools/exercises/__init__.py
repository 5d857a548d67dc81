"""Exercises with a checker that diagnoses: ``check("02.1", sigmoid_backward)``.

A lesson's exercise is a cell (tagged ``exercise``) where the learner writes a function, then
a cell calling ``check(key, function)``.  The checker runs the function on three random
inputs, compares every answer with the gradient-checked one (``catalog``), and prints either
a tick or, for *every* wrong answer, what is wrong with it: first the exercise's typical
misconceptions, recognized from the numbers (the Jacobian's diagonal alone, x where σ(x)
belongs, repeated indices overwritten...), then the general mistakes of ``diagnose`` (a
flipped sign, a factor and the input size that explains it, a missing sum over a broadcast
axis, the upstream gradient left out...).  The hint escalates: the first failure names the
concept, the second the shape or structure, the third (or ``reveal=True``) the formula.
Verdicts are kept per user (``progress``: ``minigrad exercises status`` lists them).

A failing check prints and returns False, so the rest of the lesson still runs; with
``MINIGRAD_EXERCISES_STRICT=1`` (the test suite) it raises ``ExerciseFailed`` instead.
Solutions live apart, in ``lessons/solutions/``.  ``minigrad exercises`` lists them all.
"""
from __future__ import annotations

import json
import os

import numpy as np

from . import progress
from .catalog import EXERCISES, LESSONS, Exercise, Misconception
from .diagnose import close, diagnose

TRIALS = 3


class ExerciseFailed(AssertionError):
    """An exercise's answer is wrong (raised in strict mode; printed otherwise)."""


class _Wrong(Exception):
    pass


def numerical_gradients(exercise: Exercise, arguments: dict, forward=None) -> tuple:
    """Central differences (float64) of S = Σ forward ⊙ upstream (or the scalar output) with
    respect to each of ``exercise.wrt``.  ``forward``: another function of the same arguments
    (a misconception's) for every answer; otherwise each answer's own from
    ``exercise.forwards`` (an intermediate's gradient: the loss computed from it on), else
    the exercise's forward."""
    arguments = {k: np.array(v, dtype=np.float64) if np.asarray(v).dtype.kind == "f" else v
                 for k, v in arguments.items()}
    forwards = [forward] * len(exercise.wrt) if forward else \
        list(exercise.forwards) or [exercise.forward] * len(exercise.wrt)

    def total(forward, values) -> float:
        outputs = forward(**values)
        if not exercise.upstream:
            return float(outputs)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        return float(sum(np.sum(o * values[u]) for o, u in zip(outputs, exercise.upstream)))

    gradients = []
    for name, forward in zip(exercise.wrt, forwards):
        x = arguments[name]
        gradient = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            step = 1e-6 * max(1.0, abs(x[index]))
            saved = x[index]
            x[index] = saved + step
            up = total(forward, arguments)
            x[index] = saved - step
            down = total(forward, arguments)
            x[index] = saved
            gradient[index] = (up - down) / (2 * step)
        gradients.append(gradient)
    return tuple(gradients)


def _answers(exercise: Exercise, function, given: dict) -> tuple:
    if function is None:
        raise _Wrong("there is no function yet: write it in the exercise cell above")
    try:
        got = function(**{k: np.array(v) if hasattr(v, "shape") else v
                          for k, v in given.items()})
    except NotImplementedError:
        raise _Wrong("not written yet (it raises NotImplementedError): replace the `...` "
                     "and the raise with your formula") from None
    except Exception as error:  # the learner's code failed: say how
        raise _Wrong(f"it raised {type(error).__name__}: {error}") from None
    if got is None or got is Ellipsis:
        raise _Wrong("it returned nothing: end it with `return` and your answer")
    return got if isinstance(got, tuple) else (got,)


def expected(exercise: Exercise, arguments: dict) -> tuple:
    """The right answers: central-difference gradients, or the reference values."""
    if exercise.kind == "gradient":
        return numerical_gradients(exercise, arguments)
    values = exercise.forward(**arguments)
    return tuple(np.asarray(v, dtype=float) for v in
                 (values if isinstance(values, tuple) else (values,)))


def _believed(misconception: Misconception, exercise: Exercise, arguments: dict) -> tuple:
    """The answers a misconception gives at ``arguments``."""
    if misconception.answer is not None:
        values = misconception.answer(**arguments)
        return tuple(np.asarray(v, dtype=float) for v in
                     (values if isinstance(values, tuple) else (values,)))
    at = {k: np.array(v, copy=True) if hasattr(v, "shape") else v for k, v in arguments.items()}
    return numerical_gradients(exercise, arguments,
                               lambda **values: misconception.forward(at, **values))


def _reason(exercise: Exercise, arguments: dict, beliefs: list, position: int, answer,
            right) -> str:
    """Why one answer is wrong: the misconception it matches (``beliefs``: each of the
    exercise's misconceptions with the answers it gives here), else ``diagnose``."""
    for misconception, believed in beliefs:
        if position < len(believed) and close(answer, believed[position]) and \
                not close(believed[position], right):
            return misconception.says
    given = {k: v for k, v in arguments.items() if not k.startswith("_")}
    if exercise.kind != "gradient":  # sizes explain factors; signs say nothing of values
        return diagnose(answer, right, given, signs=False)
    return diagnose(answer, right, given, {u: given[u] for u in exercise.upstream})


def _run(exercise: Exercise, function) -> None:
    names = exercise.returns or tuple(f"d{name.lstrip('_')}" for name in exercise.wrt) or \
        ("the result",)
    for trial in range(TRIALS):
        arguments = exercise.make(np.random.default_rng(1000 + trial))
        given = {k: v for k, v in arguments.items() if not k.startswith("_")}
        got = _answers(exercise, function, given)
        want = expected(exercise, arguments)
        if len(got) != len(want):
            raise _Wrong(f"it returned {len(got)} value(s); expected {len(want)}: "
                         f"{', '.join(names)}")
        got = [np.asarray(a, dtype=float) for a in got]
        wrong = [i for i, (answer, right) in enumerate(zip(got, want)) if not close(answer, right)]
        if not wrong:
            continue
        beliefs = [(m, _believed(m, exercise, arguments)) for m in exercise.misconceptions]
        reasons = [f"{names[i]}: {_reason(exercise, arguments, beliefs, i, got[i], want[i])}"
                   for i in wrong]  # every wrong answer, each with its own diagnosis
        raise _Wrong(reasons[0] if len(reasons) == 1 else "\n  " + "\n  ".join(reasons))


HINT_LEVELS = ("concept", "structure", "formula")


def hint(exercise: Exercise, failures: int, reveal: bool = False) -> str:
    """The hint after ``failures`` failed checks: the concept first, then also the shape or
    structure, and the formula only from the third failure on (or when revealed)."""
    shown = len(HINT_LEVELS) if reveal else min(max(failures, 1), len(HINT_LEVELS))
    text = "\n  hint: ".join(exercise.hints[:shown])
    if shown < len(HINT_LEVELS):
        text += (f"\n  (a failed check shows more of the hint; check({exercise.key!r}, "
                 f"{exercise.function}, reveal=True) shows the formula)")
    return text


def check(key: str, function, reveal: bool = False) -> bool:
    """Check the learner's ``function`` for exercise ``key``; print the verdict (or raise it
    in strict mode).  Returns whether it is right.  A failure's hint grows with the failures
    recorded for this exercise (``progress``); ``reveal=True`` shows all of it."""
    if key not in EXERCISES:
        raise KeyError(f"no exercise {key!r}; there are {', '.join(EXERCISES)}")
    exercise = EXERCISES[key]
    try:
        _run(exercise, function)
    except _Wrong as wrong:
        failures = progress.record(key, False)
        message = f"✗ {key} {exercise.title}: {wrong}\n  hint: {hint(exercise, failures, reveal)}"
        _log(key, False)
        if os.environ.get("MINIGRAD_EXERCISES_STRICT") == "1":
            raise ExerciseFailed(message) from None
        print(message)
        return False
    progress.record(key, True)
    _log(key, True)
    how = "gradient-checked" if exercise.kind == "gradient" else "checked"
    print(f"✓ {key} {exercise.title}: right ({how} at {TRIALS} random points)")
    return True


def status() -> list:
    """[(exercise, "passed" | "failed N times" | "not tried")] in catalog order, from the
    recorded verdicts alone (nothing is run)."""
    entries = progress.load()
    rows = []
    for key, exercise in EXERCISES.items():
        entry = entries.get(key)
        state = "not tried" if entry is None else "passed" if entry["passed"] else \
            f"failed {entry['failures']} time{'s' if entry['failures'] != 1 else ''}"
        rows.append((exercise, state))
    return rows


def _log(key: str, passed: bool) -> None:
    """Append the verdict to $MINIGRAD_EXERCISE_LOG (how ``minigrad exercises check`` reads a
    notebook's results)."""
    path = os.environ.get("MINIGRAD_EXERCISE_LOG")
    if path:
        with open(path, "a") as log:
            log.write(json.dumps({"key": key, "passed": passed}) + "\n")


__all__ = ["check", "EXERCISES", "Exercise", "ExerciseFailed", "LESSONS", "Misconception",
           "diagnose", "hint", "numerical_gradients", "progress", "status"]
