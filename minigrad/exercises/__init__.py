"""Exercises with a checker that diagnoses: ``check("02.1", sigmoid_backward)``.

A lesson's exercise is a cell (tagged ``exercise``) where the learner writes a function, then
a cell calling ``check(key, function)``.  The checker runs the function on three random
inputs, compares every answer with the gradient-checked one (``catalog``), and prints either
a tick or what is wrong (``diagnose``: a flipped sign, a factor 2, a missing sum over a
broadcast axis, right only where x > 0, ...) with a hint from the lesson.  A failing check
prints and returns False, so the rest of the lesson still runs; with
``MINIGRAD_EXERCISES_STRICT=1`` (the test suite) it raises ``ExerciseFailed`` instead.
Solutions live apart, in ``lessons/solutions/``.  ``minigrad exercises`` lists them all.
"""
from __future__ import annotations

import json
import os

import numpy as np

from .catalog import EXERCISES, Exercise
from .diagnose import close, diagnose

TRIALS = 3


class ExerciseFailed(AssertionError):
    """An exercise's answer is wrong (raised in strict mode; printed otherwise)."""


class _Wrong(Exception):
    pass


def numerical_gradients(exercise: Exercise, arguments: dict) -> tuple:
    """Central differences (float64) of S = Σ forward ⊙ upstream (or the scalar output) with
    respect to each of ``exercise.wrt``."""
    arguments = {k: np.array(v, dtype=np.float64) if np.asarray(v).dtype.kind == "f" else v
                 for k, v in arguments.items()}

    def total(values) -> float:
        outputs = exercise.forward(**values)
        if not exercise.upstream:
            return float(outputs)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        return float(sum(np.sum(o * values[u]) for o, u in zip(outputs, exercise.upstream)))

    gradients = []
    for name in exercise.wrt:
        x = arguments[name]
        gradient = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            step = 1e-6 * max(1.0, abs(x[index]))
            saved = x[index]
            x[index] = saved + step
            up = total(arguments)
            x[index] = saved - step
            down = total(arguments)
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
        for name, answer, right in zip(names, got, want):
            answer = np.asarray(answer, dtype=float)
            if not close(answer, right):  # (where-it-is-wrong by input: gradients only)
                context = given if exercise.kind == "gradient" else None
                raise _Wrong(f"{name}: {diagnose(answer, right, context)}")


def check(key: str, function) -> bool:
    """Check the learner's ``function`` for exercise ``key``; print the verdict (or raise it
    in strict mode).  Returns whether it is right."""
    if key not in EXERCISES:
        raise KeyError(f"no exercise {key!r}; there are {', '.join(EXERCISES)}")
    exercise = EXERCISES[key]
    try:
        _run(exercise, function)
    except _Wrong as wrong:
        message = f"✗ {key} {exercise.title}: {wrong}\n  hint: {exercise.hint}"
        _log(key, False)
        if os.environ.get("MINIGRAD_EXERCISES_STRICT") == "1":
            raise ExerciseFailed(message) from None
        print(message)
        return False
    _log(key, True)
    how = "gradient-checked" if exercise.kind == "gradient" else "checked"
    print(f"✓ {key} {exercise.title}: right ({how} at {TRIALS} random points)")
    return True


def _log(key: str, passed: bool) -> None:
    """Append the verdict to $MINIGRAD_EXERCISE_LOG (how ``minigrad exercises check`` reads a
    notebook's results)."""
    path = os.environ.get("MINIGRAD_EXERCISE_LOG")
    if path:
        with open(path, "a") as log:
            log.write(json.dumps({"key": key, "passed": passed}) + "\n")


__all__ = ["check", "EXERCISES", "Exercise", "ExerciseFailed", "diagnose",
           "numerical_gradients"]
