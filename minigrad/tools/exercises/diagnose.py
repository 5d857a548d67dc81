"""What is wrong with an answer: the checker's diagnosis, in words a learner can act on.

``diagnose(got, want, inputs, upstream)`` compares a learner's array with the right one and
names the most specific mistake it recognizes, in this order: a wrong shape (transposed, or a
broadcast axis not summed away), NaN or infinity, all zeros, the chain rule's upstream factor
missing, the sign flipped, off by a constant factor (which one, and which size of the inputs
explains it: "0.2 = 1/5, and 5 is x.shape[0]"), transposed, right only where an input is
positive or negative (or small), and otherwise the first element that differs.  Mistakes of
one exercise (the Jacobian's diagonal alone, σ(x) taken as x...) are its ``misconceptions``,
recognized by the checker before these general ones.
"""
from __future__ import annotations

import numpy as np

RTOL, ATOL = 1e-5, 1e-7


def close(got, want) -> bool:
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=RTOL, atol=ATOL))


def diagnose(got, want, inputs: dict | None = None, upstream: dict | None = None,
             signs: bool = True) -> str:
    """A sentence saying how ``got`` differs from ``want`` (both arrays).  ``inputs``: the
    arguments the answer was computed from (their sizes explain factors; with ``signs``,
    their signs explain where a gradient is wrong); ``upstream``: those of them that hold
    dL/d(output)."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    inputs, upstream = inputs or {}, upstream or {}
    if got.shape != want.shape:
        return _shape_mistake(got, want)
    if got.size == 1:
        return _scalar_mistake(got.item(), want.item())
    unexpected = ~np.isfinite(got) & np.isfinite(want)
    if unexpected.any():
        index = tuple(int(i) for i in np.argwhere(unexpected)[0])
        if np.all(np.isfinite(want)):
            return (f"it contains {got[index]} (first at index {index}): an overflow or a "
                    f"0/0 somewhere — compute it in the numerically stable form")
        return (f"it is {got[index]} at index {index}, where the right answer is "
                f"{want[index]:.6g}")
    if np.allclose(got, 0, atol=ATOL) and not np.allclose(want, 0, atol=ATOL):
        return "it is zero everywhere, but the gradient is not"
    chain = _missing_upstream(got, want, upstream)
    if chain:
        return chain
    if np.allclose(got, -want, rtol=RTOL, atol=ATOL):
        return "the sign is flipped: every value is the negative of the right one"
    factor = _constant_factor(got, want)
    if factor is not None:
        return (f"every value is {factor:.4g} times the right one"
                f"{_factor_meaning(factor, want, inputs)}")
    if got.ndim == 2 and got.shape[0] == got.shape[1] and close(got.T, want):
        return "it is transposed (rows and columns swapped)"
    region = _where_wrong(got, want, inputs if signs else {})
    if region:
        return region
    index = _first_difference(got, want)
    return (f"it differs from the right answer; first at index {index}: got {got[index]:.6g}, "
            f"expected {want[index]:.6g}")


def _scalar_mistake(got: float, want: float) -> str:
    text = f"it is {got:.6g}; the right value is {want:.6g}"
    if not np.isfinite(got) and np.isfinite(want):
        return text + ": an overflow or a 0/0 — compute it in the numerically stable form"
    if want != 0:
        for ratio, meaning in ((-1.0, "the sign is flipped"),
                               (0.5, "half of it: a factor 2 missing"),
                               (2.0, "twice it: a factor 2 too many")):
            if np.isclose(got / want, ratio, rtol=1e-6):
                return f"{text} ({meaning})"
    return text


def _shape_mistake(got, want) -> str:
    if got.T.shape == want.shape and close(got.T, want):
        return f"it has shape {got.shape} but should have {want.shape}: it is transposed"
    if got.size > want.size and got.ndim >= want.ndim:
        lead = got.ndim - want.ndim
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(want.shape)
                                          if n == 1 and got.shape[lead + i] != 1)
        summed = got.sum(axis=axes, keepdims=True).reshape(want.shape) if axes else got
        if axes and close(summed, want):
            return (f"it has shape {got.shape} but the input has shape {want.shape}: sum it over "
                    f"the broadcast axes {axes} — a value broadcast to many positions receives "
                    f"the sum of their gradients")
    return (f"it has shape {got.shape} but should have shape {want.shape} (a gradient has "
            f"the shape of the value it belongs to)")


def _constant_factor(got, want):
    mask = np.abs(want) > 1e-8 * max(np.abs(want).max(), 1e-300)
    if not mask.any():
        return None
    ratios = got[mask] / want[mask]
    factor = float(np.median(ratios))
    if np.isclose(factor, 1.0, rtol=1e-4) or not np.allclose(ratios, factor, rtol=1e-4):
        return None
    if not np.allclose(got[~mask], 0, atol=ATOL):
        return None
    return factor


def _missing_upstream(got, want, upstream: dict) -> str | None:
    """'right up to the factor grad' when the answer times an upstream gradient is right."""
    for name, g in upstream.items():
        g = np.asarray(g, dtype=float)
        if g.shape == got.shape and close(got * g, want):
            return (f"it is the local derivative alone: multiply it by {name} — the chain "
                    f"rule takes dL/d(input) = dL/d(output) · d(output)/d(input), and {name} "
                    f"is dL/d(output)")
    return None


def _sizes(inputs: dict) -> list:
    """[(size, its name)]: every axis length of the array inputs ("x.shape[0]") and their
    element counts ("x.size"), the numbers a wrong factor is usually made of."""
    sizes = []
    for name, value in inputs.items():
        shape = np.shape(value) if hasattr(value, "shape") else ()
        sizes += [(n, f"{name}.shape[{axis}]") for axis, n in enumerate(shape) if n > 1]
        if len(shape) > 1 and int(np.prod(shape)) > 1:
            sizes.append((int(np.prod(shape)), f"{name}.size"))
    return sizes


def _factor_meaning(factor: float, want, inputs: dict | None = None) -> str:
    for value, meaning in ((2.0, "a factor 2 too many (a ½ lost, or the derivative of x² "
                                 "taken as 2x twice)"),
                           (0.5, "a factor 2 missing (the derivative of x² is 2x)")):
        if np.isclose(factor, value, rtol=1e-4):
            return f": {meaning}"
    for n, name in _sizes(inputs or {}):
        if np.isclose(factor, 1 / n, rtol=1e-4):
            return (f": {factor:.4g} = 1/{n}, and {n} is {name} — a sum over those {n} "
                    f"taken as a mean? (a bias's gradient, or a weight's, sums over the "
                    f"batch: each sample adds its own)")
        if np.isclose(factor, n, rtol=1e-4):
            return (f": {n} is {name} — a mean differentiated as a sum? (the mean divides "
                    f"by {n})")
        for root, words in ((np.sqrt(n), f"√{n}"), (1 / np.sqrt(n), f"1/√{n}")):
            if np.isclose(factor, root, rtol=1e-4):
                return f": {words}, and {n} is {name} — a 1/√d scale lost or added?"
    for n in sorted(set(want.shape)):
        for root, words in ((np.sqrt(n), f"√{n}"), (1 / np.sqrt(n), f"1/√{n}")):
            if n > 1 and np.isclose(factor, root, rtol=1e-4):
                return f": {words}, with {n} a size of the input — a 1/√d scale lost or added?"
        if n > 1 and np.isclose(factor, n, rtol=1e-4):
            return (f": {n} is a size of the input — a mean differentiated as a sum? (the mean "
                    f"divides by {n})")
        if n > 1 and np.isclose(factor, 1 / n, rtol=1e-4):
            return (f": 1/{n}, where {n} is a size of the input — a sum differentiated as a "
                    f"mean?")
    return ""


def _where_wrong(got, want, inputs: dict) -> str | None:
    """'right where x > 0, wrong where x < 0' when an input of the same shape explains it."""
    wrong = ~np.isclose(got, want, rtol=RTOL, atol=ATOL)
    if wrong.all() or not wrong.any():
        return None
    for name, value in inputs.items():
        value = np.asarray(value) if hasattr(value, "shape") else None
        if value is None or value.shape != got.shape or value.dtype.kind != "f":
            continue
        for condition, text in ((value < 0, f"{name} < 0"), (value > 0, f"{name} > 0"),
                                (np.abs(value) > 1, f"|{name}| > 1"),
                                (np.abs(value) <= 1, f"|{name}| <= 1")):
            if np.array_equal(wrong, condition):
                return f"it is right at some elements and wrong exactly where {text}"
            if np.array_equal(wrong, ~condition):
                return f"it is right exactly where {text} and wrong elsewhere"
    return (f"it is right at {int((~wrong).sum())} of {wrong.size} elements; first wrong at "
            f"index {_first_difference(got, want)}")


def _first_difference(got, want) -> tuple:
    wrong = ~np.isclose(got, want, rtol=RTOL, atol=ATOL)
    return tuple(int(i) for i in np.argwhere(wrong)[0]) if wrong.any() else ()
