"""DistributedDataParallel: the same model in every process, gradients averaged.

Each rank runs the model on its own part of the global batch.  If every rank starts from the
same parameters and applies the same averaged gradient, every rank keeps the same parameters,
and the average of the ranks' gradients of their mean losses is the gradient of the mean
loss over the whole global batch: N processes train like one process on an N-times larger
batch (``minigrad.distributed``'s lesson shows it numerically).

How the averaging is scheduled (PyTorch's design):

* **Buckets.**  The parameters are grouped, in reverse order of definition (roughly the order
  their gradients are finished by backward), into buckets of about ``bucket_cap_mb``.  One
  all-reduce per bucket of flattened gradients: fewer, larger messages than one per tensor.
* **Overlap.**  A hook on each parameter (``register_post_accumulate_grad_hook``) counts the
  gradients that are complete; when a bucket is full it is all-reduced *asynchronously* while
  backward goes on computing earlier layers.  Buckets are launched in order, so every rank
  issues the same collectives in the same order.  When backward ends, the remaining buckets
  are launched, all are waited for, divided by the world size and copied back into ``.grad``.
* **no_sync().**  Inside it, backward only accumulates local gradients (gradient
  accumulation); the next backward outside averages the accumulated sums.
* **Buffers.**  Each forward in training first broadcasts rank 0's buffers (batch norm's
  running statistics), as PyTorch does by default.  Batch norm itself normalizes with each
  process's *local* batch statistics (PyTorch's SyncBatchNorm would use the global batch's;
  minigrad has none).
"""
from __future__ import annotations

import contextlib

from .. import distributed as dist
from ..autograd.engine import queue_callback
from ..backend import array_module_of
from ..tensor import Tensor
from .module import Module


def plan_buckets(parameters: list, cap_bytes: float) -> list:
    """Parameters in reverse order, grouped into buckets of at most ``cap_bytes`` (a larger
    tensor gets a bucket of its own) and of one dtype each."""
    buckets, current, size = [], [], 0
    for p in reversed(parameters):
        nbytes = p.array.nbytes
        if current and (size + nbytes > cap_bytes or p.dtype != current[0].dtype):
            buckets.append(current)
            current, size = [], 0
        current.append(p)
        size += nbytes
    if current:
        buckets.append(current)
    return buckets


class DistributedDataParallel(Module):
    """``DistributedDataParallel(model)``: call it like ``model``; after ``backward()`` every
    rank's gradients are the average over the ranks (module docstring).  Needs
    ``minigrad.distributed.init_process_group()`` first."""

    def __init__(self, module: Module, device_ids=None, output_device=None,
                 broadcast_buffers: bool = True, bucket_cap_mb: float = 25.0,
                 find_unused_parameters: bool = False, **_):
        super().__init__()
        if not dist.is_initialized():
            raise RuntimeError("DistributedDataParallel: call minigrad.distributed."
                               "init_process_group() first (and launch with mpiexec -n N)")
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.world = dist.get_world_size()
        parameters = [p for p in module.parameters() if p.requires_grad]
        for tensor in parameters + self._buffers_of():
            dist.broadcast(tensor, src=0)       # every rank starts from rank 0's values
        self.buckets = plan_buckets(parameters, bucket_cap_mb * 2 ** 20)
        self._bucket_of = {id(p): k for k, bucket in enumerate(self.buckets) for p in bucket}
        self._handles = [p.register_post_accumulate_grad_hook(self._gradient_ready)
                         for p in parameters]
        self._synchronize = True
        self._new_pass()

    def _buffers_of(self) -> list:
        return [b for _, b in self.module.named_buffers() if b is not None]

    def forward(self, *inputs, **kwargs):
        if self.broadcast_buffers and self.world > 1 and self.training:
            for buffer in self._buffers_of():
                dist.broadcast(buffer, src=0)
        return self.module(*inputs, **kwargs)

    @contextlib.contextmanager
    def no_sync(self):
        """Backward passes inside only accumulate local gradients (no communication)."""
        previous, self._synchronize = self._synchronize, False
        try:
            yield
        finally:
            self._synchronize = previous

    # ------------------------------------------------------------------ the backward pass

    def _new_pass(self) -> None:
        self._ready = [0] * len(self.buckets)
        self._launched, self._in_flight, self._finishing = 0, [], False

    def _gradient_ready(self, parameter) -> None:
        """A parameter's gradient is complete: launch every bucket, in order, that is full."""
        if not self._synchronize or self.world == 1:
            return
        if not self._finishing:
            self._finishing = True
            queue_callback(self._finish)
        self._ready[self._bucket_of[id(parameter)]] += 1
        while self._launched < len(self.buckets) and \
                self._ready[self._launched] == len(self.buckets[self._launched]):
            self._launch(self._launched)
        for _, (_, work) in self._in_flight:  # let the backend progress what is in flight
            work.is_completed()

    def _launch(self, k: int) -> None:
        bucket = self.buckets[k]
        xp = array_module_of(bucket[0].array)
        flat = xp.concatenate([(p.grad.array if p.grad is not None else
                                xp.zeros_like(p.array)).reshape(-1) for p in bucket])
        self._in_flight.append((k, (flat, dist.all_reduce(flat, async_op=True))))
        self._launched += 1

    def _finish(self) -> None:
        """After backward: launch what is left, wait, average, write back into ``.grad``."""
        while self._launched < len(self.buckets):
            self._launch(self._launched)
        for k, (flat, work) in self._in_flight:
            work.wait()
            flat /= self.world
            offset = 0
            for p in self.buckets[k]:
                size = p.array.size
                p.grad = Tensor._wrap(flat[offset:offset + size].reshape(p.shape), None)
                offset += size
        self._new_pass()

    def sync_gradients(self) -> None:
        """Average the current gradients without a backward pass: for a rank that has no
        samples in a step (the others' collectives need its share, zeros)."""
        if self.world > 1 and self._synchronize:
            self._finish()

    def remove_hooks(self) -> None:
        """Detach from the module's parameters (the module then trains alone again)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
