"""The NCCL backend: collectives of CuPy arrays over NVIDIA's NCCL (``cupy.cuda.nccl``).

One GPU per rank (rank r uses device r mod the number of devices).  NCCL needs every rank to
hold the same unique id before its communicator exists; the ranks get it over MPI, so this
backend is launched with mpiexec like the CPU one.  A collective is enqueued on the current
stream and an event recorded after it; ``Work`` polls the event, so a wait still has the
group's timeout (and a timed-out communicator is aborted, not left hanging).
"""
from __future__ import annotations


class NcclBackend:
    name = "nccl"

    def __init__(self):
        try:
            import cupy
            from cupy.cuda import nccl
            from mpi4py import MPI
        except ImportError:
            raise ImportError("the nccl backend needs CuPy with NCCL (pip install -e "
                              "'.[gpu]') and mpi4py to hand out its id (pip install -e "
                              "'.[dist]')") from None
        self.xp, self.nccl = cupy, nccl
        world = MPI.COMM_WORLD
        self.rank, self.world_size = world.Get_rank(), world.Get_size()
        cupy.cuda.Device(self.rank % cupy.cuda.runtime.getDeviceCount()).use()
        unique_id = world.bcast(nccl.get_unique_id() if self.rank == 0 else None, root=0)
        self.comm = nccl.NcclCommunicator(self.world_size, unique_id, self.rank)
        self.mpi = world
        self.ops = {"sum": nccl.NCCL_SUM, "max": nccl.NCCL_MAX, "min": nccl.NCCL_MIN,
                    "product": nccl.NCCL_PROD}

    def _dtype(self, array) -> int:
        codes = {"float16": self.nccl.NCCL_FLOAT16, "float32": self.nccl.NCCL_FLOAT32,
                 "float64": self.nccl.NCCL_FLOAT64, "int32": self.nccl.NCCL_INT32,
                 "int64": self.nccl.NCCL_INT64, "uint8": self.nccl.NCCL_UINT8,
                 "int8": self.nccl.NCCL_INT8}
        if str(array.dtype) not in codes:
            raise TypeError(f"nccl backend: dtype {array.dtype} is not supported "
                            f"({sorted(codes)})")
        return codes[str(array.dtype)]

    def _enqueued(self):
        stream = self.xp.cuda.get_current_stream()
        event = self.xp.cuda.Event(block=False, disable_timing=True)
        event.record(stream)
        return event.query

    def all_reduce(self, array, op: str):
        stream = self.xp.cuda.get_current_stream().ptr
        self.comm.allReduce(array.data.ptr, array.data.ptr, array.size, self._dtype(array),
                            self.ops[op], stream)
        return self._enqueued()

    def broadcast(self, array, src: int):
        stream = self.xp.cuda.get_current_stream().ptr
        self.comm.bcast(array.data.ptr, array.size, self._dtype(array), src, stream)
        return self._enqueued()

    def all_gather(self, out, array):
        stream = self.xp.cuda.get_current_stream().ptr
        array = self.xp.ascontiguousarray(array)
        self.comm.allGather(array.data.ptr, out.data.ptr, array.size, self._dtype(array),
                            stream)
        return self._enqueued()

    def barrier(self):
        token = self.xp.zeros(1, self.xp.float32)  # a tiny all-reduce is a barrier on GPUs
        return self.all_reduce(token, "sum")

    def abort(self, code: int) -> None:
        try:
            self.comm.abort()
        finally:
            self.mpi.Abort(code)

    def close(self) -> None:
        self.comm.destroy()
