"""Data-parallel training across processes, with ``torch.distributed``'s names.

Every process (a *rank*, 0 … world_size − 1) runs the same script on its own part of the
data; collectives combine arrays across the ranks:

* ``all_reduce(t)``: every rank's ``t`` becomes the sum (or mean, max, min) over all ranks,
* ``broadcast(t, src)``: every rank's ``t`` becomes rank ``src``'s,
* ``all_gather(out, t)``: every rank gets the list of every rank's ``t``,
* ``barrier()``: nobody continues until everybody has arrived.

They run on an existing engine, chosen by ``init_process_group(backend=...)``: ``"mpi"``
(mpi4py, CPUs; launch with ``mpiexec -n 2 python script.py``) or ``"nccl"`` (CuPy's NCCL,
GPUs, one per rank; also launched with mpiexec, which hands out the ranks).  Each backend is
one small file.

**No hangs.**  A collective waits at most ``timeout`` seconds for the other ranks, then raises
``DistributedTimeout``; and an exception nobody catches in one rank (a timeout included)
stops every rank through the launcher, with a message naming the rank.  A job never sits
forever waiting for a rank that died.
"""
from __future__ import annotations

import os
import sys
import time

DEFAULT_TIMEOUT_S = 1800.0
ABORT_GRACE_S = 0.5
"""How long a failing rank waits, after printing why, before aborting the job: an abort kills
every process at once, and output the launcher has not forwarded yet would be lost."""
SPIN_S = 0.05
"""How long a wait polls without sleeping: a collective usually completes in micro- to
milliseconds, and sleeping even 10 µs costs ~60 µs of timer slack per poll."""


def find_mpiexec() -> str | None:
    """The ``mpiexec`` that launches ranks: the one beside the running Python first (the
    ``dist`` extra's mpich wheel installs it in the environment's ``bin/``, which is not on
    PATH when the environment's programs are run without activating it), else the first on
    PATH; None when there is neither."""
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    import shutil
    return shutil.which("mpiexec")


class ReduceOp:
    SUM, AVG, MAX, MIN, PRODUCT = "sum", "avg", "max", "min", "product"


class DistributedTimeout(RuntimeError):
    """A collective that the other ranks did not join within the group's timeout."""


class Work:
    """A collective in flight (``async_op=True``): ``wait()`` blocks until it is done (or the
    group's timeout passes), ``is_completed()`` asks without blocking."""

    def __init__(self, test, what: str, timeout: float, finish=None):
        self._test, self._finish, self.what, self.timeout = test, finish, what, timeout
        self._done = False

    def is_completed(self) -> bool:
        if not self._done and self._test():
            self._done = True
            if self._finish is not None:
                self._finish()
        return self._done

    def wait(self, timeout: float | None = None) -> bool:
        start = time.monotonic()
        deadline = start + (self.timeout if timeout is None else timeout)
        while not self.is_completed():  # each test also drives the backend's progress
            now = time.monotonic()
            if now > deadline:
                raise DistributedTimeout(
                    f"{self.what} on rank {get_rank()}: the other ranks did not join within "
                    f"{self.timeout:g} s (one of them failed, hangs, or runs other "
                    f"collectives); stopping")
            if now - start > SPIN_S:  # a long wait: stop spinning, give the core away
                time.sleep(1e-3)
        return True


class _Group:
    backend = None
    timeout = DEFAULT_TIMEOUT_S
    hook = None


_group = _Group()
BACKENDS = ("mpi", "nccl")


def init_process_group(backend: str = "mpi", timeout=None, world_size: int | None = None,
                       rank: int | None = None, init_method=None) -> None:
    """Join the job's process group.  The launcher (mpiexec) decides every process's rank
    and the world size; ``world_size``/``rank`` given here are checked against it.
    ``timeout`` (seconds or a timedelta; default ``$MINIGRAD_DIST_TIMEOUT`` or 30 minutes):
    how long a collective waits for the others."""
    if _group.backend is not None:
        raise RuntimeError("init_process_group: this process is already in a group "
                           "(destroy_process_group() first)")
    if backend not in BACKENDS:
        raise ValueError(f"init_process_group: backend must be one of {BACKENDS}, not "
                         f"{backend!r}")
    if timeout is None:
        timeout = float(os.environ.get("MINIGRAD_DIST_TIMEOUT", DEFAULT_TIMEOUT_S))
    seconds = timeout.total_seconds() if hasattr(timeout, "total_seconds") else float(timeout)
    if backend == "mpi":
        from .mpi import MpiBackend as chosen
    else:
        from .nccl import NcclBackend as chosen
    group = chosen()
    for name, given, actual in (("world_size", world_size, group.world_size),
                                ("rank", rank, group.rank)):
        if given is not None and given != actual:
            raise ValueError(f"init_process_group: {name}={given}, but the launcher started "
                             f"this process with {name} {actual}")
    _group.backend, _group.timeout = group, seconds
    _install_abort_on_failure()


def is_initialized() -> bool:
    return _group.backend is not None


def is_available() -> bool:
    """Whether mpi4py (the CPU backend) can be imported."""
    import importlib.util
    return importlib.util.find_spec("mpi4py") is not None


def _backend():
    if _group.backend is None:
        raise RuntimeError("minigrad.distributed: call init_process_group() first (and "
                           "launch with mpiexec -n N)")
    return _group.backend


def get_rank() -> int:
    return _group.backend.rank if _group.backend is not None else 0


def get_world_size() -> int:
    return _group.backend.world_size if _group.backend is not None else 1


def get_backend() -> str:
    return _backend().name


def destroy_process_group() -> None:
    """Leave the group (after a barrier, so no rank leaves while others still talk)."""
    if _group.backend is None:
        return
    barrier()
    _group.backend.close()
    _group.backend = None
    if _group.hook is not None and sys.excepthook is _group.hook:
        sys.excepthook = _group.hook.previous
    _group.hook = None


def _array(tensor):
    from ..tensor import Tensor
    return tensor.array if isinstance(tensor, Tensor) else tensor


def _run(work: Work, async_op: bool):
    if async_op:
        return work
    work.wait()
    return None


def all_reduce(tensor, op: str = ReduceOp.SUM, async_op: bool = False):
    """Replace ``tensor`` (in place, on every rank) by its sum over all ranks (``op``: also
    AVG, MAX, MIN, PRODUCT)."""
    array, backend = _array(tensor), _backend()

    def average():
        array[...] /= backend.world_size
    work = backend.all_reduce(array, ReduceOp.SUM if op == ReduceOp.AVG else op)
    return _run(_then(work, average if op == ReduceOp.AVG else None, "all_reduce"), async_op)


def broadcast(tensor, src: int = 0, async_op: bool = False):
    """Replace ``tensor`` (in place) on every rank by rank ``src``'s."""
    _check_rank("broadcast", src)
    return _run(_then(_backend().broadcast(_array(tensor), src), None, "broadcast"), async_op)


def all_gather(tensor_list: list, tensor, async_op: bool = False):
    """Fill ``tensor_list[r]`` (in place) with rank r's ``tensor``, on every rank."""
    backend = _backend()
    if len(tensor_list) != backend.world_size:
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} tensors for a world "
                         f"of {backend.world_size}")
    array = _array(tensor)
    for out in tensor_list:
        if _array(out).shape != array.shape:
            raise ValueError(f"all_gather: every output must have the input's shape "
                             f"{array.shape}; got {_array(out).shape}")
    gathered = backend.xp.empty((backend.world_size,) + array.shape, array.dtype)

    def finish():
        for r, out in enumerate(tensor_list):
            _array(out)[...] = gathered[r]
    return _run(_then(backend.all_gather(gathered, array), finish, "all_gather"), async_op)


def barrier(async_op: bool = False):
    """Wait until every rank has called ``barrier``."""
    return _run(_then(_backend().barrier(), None, "barrier"), async_op)


def _then(test, finish, what: str) -> Work:
    return Work(test, what, _group.timeout, finish)


def _check_rank(op: str, rank: int) -> None:
    if not 0 <= rank < get_world_size():
        raise ValueError(f"{op}: rank {rank} is not in this world of {get_world_size()}")


def _install_abort_on_failure() -> None:
    """An uncaught exception in one rank prints its traceback, says which rank failed, and
    stops every rank (the launcher ends the job) instead of leaving them waiting."""
    previous = sys.excepthook

    def abort_all(kind, error, trace):
        previous(kind, error, trace)
        group = _group.backend
        if group is not None:
            sys.stderr.write(f"minigrad.distributed: rank {group.rank} of {group.world_size} "
                             f"stopped ({kind.__name__}); stopping every rank\n")
            sys.stdout.flush()
            sys.stderr.flush()
            time.sleep(ABORT_GRACE_S)  # the launcher forwards this output before the abort
            group.abort(130 if issubclass(kind, KeyboardInterrupt) else 1)
    abort_all.previous = previous
    _group.hook = abort_all
    sys.excepthook = abort_all


__all__ = ["init_process_group", "destroy_process_group", "is_initialized", "is_available",
           "get_rank", "get_world_size", "get_backend", "all_reduce", "broadcast",
           "all_gather", "barrier", "ReduceOp", "Work", "DistributedTimeout",
           "DistributedSampler"]

from .sampler import DistributedSampler  # noqa: E402
