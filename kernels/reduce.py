"""Summing a matrix along an axis: the bias gradient of a Linear layer (Σ over the batch) and
the row sums of a softmax.

* ``sum_columns`` (axis 0): one thread per column walks down the rows.  Neighbouring threads
  read neighbouring columns of the same row, so every read is coalesced and no thread needs
  another's result.
* ``sum_rows`` (axis 1): one block per row; its threads stride along the row, then combine
  their partial sums with the shared-memory tree of ``softmax.block_sum``.
"""
from __future__ import annotations

from numba import float32

from . import runtime
from .runtime import ceil_div
from .softmax import ROW_THREADS, block_sum

cuda = runtime.cuda()

COLUMN_THREADS = 128


@cuda.jit
def sum_columns_kernel(x, out):
    """out[c] = Σ_r x[r, c]."""
    col = cuda.grid(1)
    if col < x.shape[1]:
        total = float32(0.0)
        for r in range(x.shape[0]):
            total += x[r, col]
        out[col] = total


@cuda.jit
def sum_rows_kernel(x, out):
    """out[r] = Σ_c x[r, c]."""
    scratch = cuda.shared.array(ROW_THREADS, float32)
    row = cuda.blockIdx.x
    total = float32(0.0)
    for c in range(cuda.threadIdx.x, x.shape[1], ROW_THREADS):
        total += x[row, c]
    total = block_sum(scratch, total)
    if cuda.threadIdx.x == 0:
        out[row] = total


def sum_along(x, axis: int):
    """Σ of a 2-D float32 array along ``axis`` (0: over rows, one value per column; 1: over
    columns, one value per row)."""
    from .launch import launch
    if x.ndim != 2 or axis not in (0, 1, -1, -2):
        raise ValueError(f"sum_along: expected a 2-D array and axis 0 or 1, got shape "
                         f"{tuple(x.shape)} and axis {axis}")
    if axis % 2 == 0:
        out = runtime.empty_like_device(x, (x.shape[1],))
        launch(sum_columns_kernel, (max(1, ceil_div(x.shape[1], COLUMN_THREADS)),),
               (COLUMN_THREADS,), x, out)
    else:
        out = runtime.empty_like_device(x, (x.shape[0],))
        launch(sum_rows_kernel, (max(1, x.shape[0]),), (ROW_THREADS,), x, out)
    return out
