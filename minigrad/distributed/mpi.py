"""The MPI backend: collectives of NumPy arrays over mpi4py (CPUs).

Each collective is MPI's non-blocking form (``Iallreduce``, ``Ibcast``, ``Iallgather``,
``Ibarrier``), so the caller can keep computing while it runs and wait with a timeout
(``minigrad.distributed.Work``).  Launch with ``mpiexec -n N python script.py``.
"""
from __future__ import annotations

import numpy as np


class MpiBackend:
    name = "mpi"
    xp = np

    def __init__(self):
        try:
            from mpi4py import MPI
        except ImportError:
            raise ImportError("the mpi backend needs mpi4py and an MPI library: pip install "
                              "-e '.[dist]' (mpi4py and the mpich wheel), then launch with "
                              "mpiexec -n 2 python script.py") from None
        self.MPI, self.comm = MPI, MPI.COMM_WORLD
        self.rank, self.world_size = self.comm.Get_rank(), self.comm.Get_size()
        self.ops = {"sum": MPI.SUM, "max": MPI.MAX, "min": MPI.MIN, "product": MPI.PROD}

    def all_reduce(self, array, op: str):
        buffer, copy_back = _contiguous(array)
        request = self.comm.Iallreduce(self.MPI.IN_PLACE, buffer, op=self.ops[op])
        return _completion(request, copy_back)

    def broadcast(self, array, src: int):
        buffer, copy_back = _contiguous(array)
        return _completion(self.comm.Ibcast(buffer, root=src), copy_back)

    def all_gather(self, out, array):
        return _completion(self.comm.Iallgather(np.ascontiguousarray(array), out), None)

    def barrier(self):
        return _completion(self.comm.Ibarrier(), None)

    def abort(self, code: int) -> None:
        self.comm.Abort(code)

    def close(self) -> None:
        pass  # mpi4py finalizes MPI when the process exits


def _contiguous(array):
    """(a contiguous buffer for MPI, and how to copy its result back into ``array``)."""
    if array.flags.c_contiguous:
        return array, None
    buffer = np.ascontiguousarray(array)

    def copy_back():
        array[...] = buffer
    return buffer, copy_back


def _completion(request, copy_back):
    """A test function for Work: True once the request is done (and the copy made)."""
    def test():
        if request.Test():
            if copy_back is not None:
                copy_back()
            return True
        return False
    return test
