"""One Ctrl-C policy for every long job (``fit``, the GAN and Transformer loops, the seed
programs, the benchmarks): the first Ctrl-C asks the job to stop *after the step it is in* —
so a saved model never mixes two optimizer steps —, the job saves what is complete and says
so; a second Ctrl-C stops at once (``KeyboardInterrupt``).

    with interrupt.graceful():
        for step in range(steps):
            ...one whole step...
            if interrupt.requested():
                break

A job of several phases (P8's LSTM then its bag-of-words baseline, the GAN's three
objectives, a study over seeds) walks them with ``phases(...)``, which starts no new phase
once Ctrl-C was pressed: the rule holds for the whole command, not for each loop in it.

Loops that run inside an outer ``graceful()`` share its flag.  Outside the main thread, where
Python cannot catch signals, Ctrl-C keeps its usual meaning.
"""
from __future__ import annotations

import contextlib
import signal
import sys
import threading

EXIT_CODE = 130
"""The conventional exit status of a program stopped by Ctrl-C (128 + SIGINT)."""

_state = {"depth": 0, "requested": False}


def requested() -> bool:
    """Whether Ctrl-C was pressed since the outermost ``graceful()`` began."""
    return _state["requested"]


def phases(items, first_always: bool = False):
    """The items of a job of several phases, in order, stopping before the next one once
    Ctrl-C was pressed (``requested()``): what the interrupted phase completed is the job's
    result, and nothing is trained after it.  ``first_always``: the first item is the job
    itself and starts even after a Ctrl-C during its setup (it then stops after its first
    whole step, as ``fit`` does), so the job always has a result to save."""
    for index, item in enumerate(items):
        if not (first_always and index == 0) and requested():
            return
        yield item


def _handler(signum, frame) -> None:
    if _state["requested"]:
        raise KeyboardInterrupt
    _state["requested"] = True
    print("\ninterrupt: finishing the current step, then saving what is complete "
          "(Ctrl-C again to stop at once)", file=sys.stderr, flush=True)


@contextlib.contextmanager
def graceful():
    """Within the block, Ctrl-C sets ``requested()`` instead of raising (module docstring)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    outermost = _state["depth"] == 0
    previous = signal.signal(signal.SIGINT, _handler) if outermost else None
    if outermost:
        _state["requested"] = False
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
        if outermost:
            signal.signal(signal.SIGINT, previous)
