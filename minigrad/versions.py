"""In-place changes, counted: what lets backward refuse a saved array that changed since.

A node saves arrays for its backward.  If one of them is changed in place before backward runs
(``w.add_(1)``, an optimizer step), the gradient would silently be computed from the wrong
values; PyTorch refuses with "modified by an inplace operation", and so does minigrad.

Each in-place change through the Tensor API (``add_``, ``copy_``, an optimizer's step...)
ticks one global clock and notes, for each array it changed, the time of its last change and
how many it has had (a Tensor's ``_version``; a detached tensor shares its array, so it shares
the count, as in PyTorch).  A node remembers the time of its forward; when backward reads its
saved arrays, nothing needs checking if the clock has not moved since (the common case:
forward, backward, then the optimizer step), and otherwise each saved array is looked up.
Changes made by writing into ``tensor.array`` directly are not seen (like PyTorch's ``.data``).
"""
from __future__ import annotations

import weakref


class _Clock:
    now = 0                 # ticks once per in-place change (or optimizer step) anywhere
    changes: dict = {}      # id(array) -> [clock time of its last change, number of changes]


def note_inplace_change(*arrays) -> None:
    """Record that each of ``arrays`` was just changed in place (one tick for all of them)."""
    _Clock.now += 1
    now, changes = _Clock.now, _Clock.changes
    for array in arrays:
        entry = changes.get(id(array))
        if entry is None:  # forget the array when it is freed (ids get reused)
            weakref.finalize(array, changes.pop, id(array), None)
            changes[id(array)] = [now, 1]
        else:
            entry[0] = now
            entry[1] += 1


def changed_since(array, time: int) -> bool:
    """True if ``array`` was changed in place after clock time ``time``."""
    entry = _Clock.changes.get(id(array))
    return entry is not None and entry[0] > time


def version(array) -> int:
    """How many in-place changes ``array`` has had."""
    entry = _Clock.changes.get(id(array))
    return entry[1] if entry else 0
