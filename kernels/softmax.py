"""Row softmax / log-softmax, and softmax fused with cross-entropy (forward and backward).

One block of ROW_THREADS threads per row.  A row's statistics need every element, so the
threads first reduce over the row in shared memory (a tree: half the threads add the other
half's partial results, then a quarter, ... log₂(ROW_THREADS) steps), twice:

    m = max_j x_j,        log Σ_j e^{x_j} = m + log Σ_j e^{x_j − m}     (stable: e^{≤0})
    log_softmax(x)_j = x_j − logsumexp(x),       softmax = e^{log_softmax}

Cross-entropy with integer targets t (SPEC F6/F7), per row, and its gradient:
    loss = logsumexp(x) − x_t,        ∂loss/∂x_j = softmax(x)_j − [j = t]
Fusing them means the probabilities are never written out just to be read back.
The tree uses shared memory only (no warp shuffles), so the simulator runs the same code.
"""
from __future__ import annotations

import math

from numba import float32

from . import runtime

cuda = runtime.cuda()

ROW_THREADS = 128


def _block_reduction(combine):
    """A device function that combines one value per thread of the block into one value that
    every thread gets: a tree in shared memory, halving the active threads each step."""
    @cuda.jit(device=True)
    def reduce(scratch, value):
        t = cuda.threadIdx.x
        scratch[t] = value
        cuda.syncthreads()
        step = ROW_THREADS // 2
        while step > 0:
            if t < step:
                scratch[t] = combine(scratch[t], scratch[t + step])
            cuda.syncthreads()
            step //= 2
        result = scratch[0]
        cuda.syncthreads()  # scratch may be reused right after
        return result
    return reduce


@cuda.jit(device=True)
def _larger(a, b):
    return max(a, b)


@cuda.jit(device=True)
def _add(a, b):
    return a + b


block_max = _block_reduction(_larger)
block_sum = _block_reduction(_add)


@cuda.jit(device=True)
def row_logsumexp(x, row, scratch):
    """log Σ_j e^{x[row, j]}, computed by the whole block, stably."""
    t, width = cuda.threadIdx.x, x.shape[1]
    largest = float32(-math.inf)
    for j in range(t, width, ROW_THREADS):
        largest = max(largest, x[row, j])
    largest = block_max(scratch, largest)
    total = float32(0.0)
    for j in range(t, width, ROW_THREADS):
        total += math.exp(x[row, j] - largest)
    return largest + math.log(block_sum(scratch, total))


@cuda.jit
def softmax_rows(x, out, log):
    """out = softmax(x) (or log_softmax when ``log``) along each row."""
    scratch = cuda.shared.array(ROW_THREADS, float32)
    row = cuda.blockIdx.x
    lse = row_logsumexp(x, row, scratch)
    for j in range(cuda.threadIdx.x, x.shape[1], ROW_THREADS):
        value = x[row, j] - lse
        out[row, j] = value if log else math.exp(value)


@cuda.jit
def cross_entropy_forward(logits, targets, log_probs, losses):
    """log_probs = log_softmax(logits) per row; losses[row] = −log_probs[row, target]."""
    scratch = cuda.shared.array(ROW_THREADS, float32)
    row = cuda.blockIdx.x
    lse = row_logsumexp(logits, row, scratch)
    for j in range(cuda.threadIdx.x, logits.shape[1], ROW_THREADS):
        log_probs[row, j] = logits[row, j] - lse
    if cuda.threadIdx.x == 0:
        losses[row] = lse - logits[row, targets[row]]


@cuda.jit
def cross_entropy_backward(log_probs, targets, scale, grad):
    """grad[row, j] = (softmax_j − [j = target]) · scale[row] (scale: dL/dloss_row)."""
    row = cuda.blockIdx.x
    for j in range(cuda.threadIdx.x, log_probs.shape[1], ROW_THREADS):
        hit = float32(1.0) if j == targets[row] else float32(0.0)
        grad[row, j] = (math.exp(log_probs[row, j]) - hit) * scale[row]


def _check_rows(op: str, x) -> None:
    if x.ndim != 2:
        raise ValueError(f"{op}: expected a (rows, classes) matrix, got shape {tuple(x.shape)}")


def softmax(x, log: bool = False):
    """softmax (or log_softmax) of each row of a 2-D float32 array."""
    from .launch import launch
    _check_rows("softmax kernel", x)
    out = runtime.empty_like_device(x, x.shape)
    launch(softmax_rows, (x.shape[0],), (ROW_THREADS,), x, out, bool(log))
    return out


def cross_entropy(logits, targets):
    """(per-row losses, log-probabilities) of softmax cross-entropy with integer targets."""
    from .launch import launch
    _check_rows("cross_entropy kernel", logits)
    if targets.shape != (logits.shape[0],):
        raise ValueError(f"cross_entropy kernel: logits {tuple(logits.shape)} need one target "
                         f"per row, got targets of shape {tuple(targets.shape)}")
    log_probs = runtime.empty_like_device(logits, logits.shape)
    losses = runtime.empty_like_device(logits, (logits.shape[0],))
    launch(cross_entropy_forward, (logits.shape[0],), (ROW_THREADS,), logits, targets,
           log_probs, losses)
    return losses, log_probs


def cross_entropy_grad(log_probs, targets, scale):
    """dL/dlogits from the forward's log-probabilities and dL/dloss per row (``scale``)."""
    from .launch import launch
    grad = runtime.empty_like_device(log_probs, log_probs.shape)
    launch(cross_entropy_backward, (log_probs.shape[0],), (ROW_THREADS,), log_probs, targets,
           scale, grad)
    return grad
