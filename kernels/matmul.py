"""Matrix multiplication C = A @ B (float32, row-major, any shape), four ways.

The progression a CUDA course walks through, kept side by side so each step can be read and
measured (``benchmarks/bench_kernels.py``; lesson 11 plots the numbers):

1. ``matmul_naive``: one thread per element of C, reading its row of A and column of B from
   global memory: 2K loads per 2K flops, so memory traffic caps it.
2. ``matmul_tiled``: a block of TILE×TILE threads stages TILE×TILE tiles of A and B in shared
   memory; each number loaded from global memory is used TILE times.
3. ``matmul_register_blocked``: each thread computes a TM×TN patch of C held in registers, so
   each value read from shared memory is used TM (or TN) times; the block's tile grows to
   BM×BN = (16·TM)×(16·TN).
4. ``matmul_fast``: the register-blocked kernel with a bigger patch (8×8 per thread, 128×128 per
   block), the A tile stored transposed in shared memory (so a thread's TM values of A are
   consecutive and reads across a warp do not conflict on banks), and double buffering: the
   next tiles are fetched from global memory into registers while the current ones are used.

Thread (tx, ty) of a register-blocked kernel owns rows ``ty + 16·i`` and columns ``tx + 16·j``
of its block's tile (strided, not a contiguous patch): consecutive threads then touch
consecutive columns, so loads and stores coalesce and shared-memory reads avoid conflicts.
Out-of-range elements load as 0 and are never stored, which is what makes any shape work.
Numba facts that matter here: shared and local array shapes must be compile-time constants
(the module constants below), and indices are int64 unless cast.
"""
from __future__ import annotations

from numba import float32, int32

from . import runtime
from .runtime import ceil_div

cuda = runtime.cuda()

TILE = 16                       # matmul_tiled: TILE×TILE threads and tiles
THREADS = 16                    # register-blocked kernels: 16×16 threads per block
RB_TM = RB_TN = 4               # matmul_register_blocked: 4×4 outputs per thread
RB_BM = RB_BN = THREADS * 4     # ... so a 64×64 tile of C per block
RB_BK = 16
FAST_TM = FAST_TN = 8           # matmul_fast: 8×8 outputs per thread
FAST_BM = FAST_BN = THREADS * 8  # ... a 128×128 tile of C per block
FAST_BK = 8


@cuda.jit
def matmul_naive(a, b, c):
    """c[row, col] = Σ_k a[row, k] · b[k, col], one thread per element of c."""
    col, row = cuda.grid(2)  # x runs along columns: neighbouring threads read neighbouring b
    if row < c.shape[0] and col < c.shape[1]:
        total = float32(0.0)
        for k in range(a.shape[1]):
            total += a[row, k] * b[k, col]
        c[row, col] = total


@cuda.jit
def matmul_tiled(a, b, c):
    """Shared-memory tiling: the block walks along K one TILE at a time; every thread loads
    one element of each tile, the block synchronizes, and each thread does TILE multiply-adds
    from shared memory."""
    tile_a = cuda.shared.array((TILE, TILE), float32)
    tile_b = cuda.shared.array((TILE, TILE), float32)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    row, col = cuda.blockIdx.y * TILE + ty, cuda.blockIdx.x * TILE + tx
    m, k_total, n = a.shape[0], a.shape[1], b.shape[1]
    total = float32(0.0)
    for k0 in range(0, k_total, TILE):
        tile_a[ty, tx] = a[row, k0 + tx] if row < m and k0 + tx < k_total else float32(0.0)
        tile_b[ty, tx] = b[k0 + ty, col] if k0 + ty < k_total and col < n else float32(0.0)
        cuda.syncthreads()      # the tiles are complete ...
        for k in range(TILE):
            total += tile_a[ty, k] * tile_b[k, tx]
        cuda.syncthreads()      # ... and everyone is done with them before they are replaced
    if row < m and col < n:
        c[row, col] = total


@cuda.jit
def matmul_register_blocked(a, b, c):
    """Each of the 16×16 threads accumulates a 4×4 patch of the block's 64×64 tile of C in
    registers (a local array), reading RB_TM values of A and RB_TN of B from shared memory per
    k and doing RB_TM·RB_TN multiply-adds with them."""
    tile_a = cuda.shared.array((RB_BM, RB_BK), float32)
    tile_b = cuda.shared.array((RB_BK, RB_BN), float32)
    acc = cuda.local.array((RB_TM, RB_TN), float32)
    a_frag = cuda.local.array(RB_TM, float32)
    b_frag = cuda.local.array(RB_TN, float32)
    tx, ty = int32(cuda.threadIdx.x), int32(cuda.threadIdx.y)
    thread = ty * THREADS + tx
    row0, col0 = int32(cuda.blockIdx.y) * RB_BM, int32(cuda.blockIdx.x) * RB_BN
    m, k_total, n = a.shape[0], a.shape[1], b.shape[1]
    for i in range(RB_TM):
        for j in range(RB_TN):
            acc[i, j] = float32(0.0)
    for k0 in range(0, k_total, RB_BK):
        for e in range(thread, RB_BM * RB_BK, THREADS * THREADS):  # 4 loads per thread each
            r, k = e // RB_BK, e % RB_BK
            inside = row0 + r < m and k0 + k < k_total
            tile_a[r, k] = a[row0 + r, k0 + k] if inside else float32(0.0)
        for e in range(thread, RB_BK * RB_BN, THREADS * THREADS):
            k, col = e // RB_BN, e % RB_BN
            inside = k0 + k < k_total and col0 + col < n
            tile_b[k, col] = b[k0 + k, col0 + col] if inside else float32(0.0)
        cuda.syncthreads()
        for k in range(RB_BK):
            for i in range(RB_TM):
                a_frag[i] = tile_a[ty + THREADS * i, k]
            for j in range(RB_TN):
                b_frag[j] = tile_b[k, tx + THREADS * j]
            for i in range(RB_TM):
                for j in range(RB_TN):
                    acc[i, j] += a_frag[i] * b_frag[j]
        cuda.syncthreads()
    for i in range(RB_TM):
        row = row0 + ty + THREADS * i
        for j in range(RB_TN):
            col = col0 + tx + THREADS * j
            if row < m and col < n:
                c[row, col] = acc[i, j]


@cuda.jit
def matmul_fast(a, b, c):
    """8×8 outputs per thread over a 128×128 tile, the A tile transposed in shared memory, two
    shared buffers: while the block multiplies the tiles in one buffer, each thread already
    holds the next tiles' values (loaded from global memory into registers), which it writes
    to the other buffer afterwards — one synchronization per step along K."""
    tile_a = cuda.shared.array((2, FAST_BK, FAST_BM), float32)   # [buffer, k, row]: transposed
    tile_b = cuda.shared.array((2, FAST_BK, FAST_BN), float32)   # [buffer, k, col]
    acc = cuda.local.array((FAST_TM, FAST_TN), float32)
    a_frag = cuda.local.array(FAST_TM, float32)
    b_frag = cuda.local.array(FAST_TN, float32)
    a_next = cuda.local.array(4, float32)   # 128·8 values per tile / 256 threads
    b_next = cuda.local.array(4, float32)
    tx, ty = int32(cuda.threadIdx.x), int32(cuda.threadIdx.y)
    thread = ty * THREADS + tx
    row0, col0 = int32(cuda.blockIdx.y) * FAST_BM, int32(cuda.blockIdx.x) * FAST_BN
    m, k_total, n = a.shape[0], a.shape[1], b.shape[1]
    a_row, a_k = thread // FAST_BK, thread % FAST_BK        # A: rows a_row + 32·r, column a_k
    b_k, b_col = thread // 32, thread % 32                  # B: row b_k, columns b_col + 32·r
    for i in range(FAST_TM):
        for j in range(FAST_TN):
            acc[i, j] = float32(0.0)
    for r in range(4):  # the first tiles, straight into buffer 0
        row, col = row0 + a_row + 32 * r, col0 + b_col + 32 * r
        tile_a[0, a_k, a_row + 32 * r] = (a[row, a_k] if row < m and a_k < k_total
                                          else float32(0.0))
        tile_b[0, b_k, b_col + 32 * r] = (b[b_k, col] if b_k < k_total and col < n
                                          else float32(0.0))
    cuda.syncthreads()
    steps = (k_total + FAST_BK - 1) // FAST_BK
    for step in range(steps):
        current = step % 2
        k_next = (step + 1) * FAST_BK
        if step + 1 < steps:  # fetch the next tiles into registers
            for r in range(4):
                row, col = row0 + a_row + 32 * r, col0 + b_col + 32 * r
                ka, kb = k_next + a_k, k_next + b_k
                a_next[r] = a[row, ka] if row < m and ka < k_total else float32(0.0)
                b_next[r] = b[kb, col] if kb < k_total and col < n else float32(0.0)
        for k in range(FAST_BK):
            for i in range(FAST_TM):
                a_frag[i] = tile_a[current, k, ty + THREADS * i]
            for j in range(FAST_TN):
                b_frag[j] = tile_b[current, k, tx + THREADS * j]
            for i in range(FAST_TM):
                for j in range(FAST_TN):
                    acc[i, j] += a_frag[i] * b_frag[j]
        if step + 1 < steps:  # the other buffer is free: everyone finished it last step
            for r in range(4):
                tile_a[1 - current, a_k, a_row + 32 * r] = a_next[r]
                tile_b[1 - current, b_k, b_col + 32 * r] = b_next[r]
        cuda.syncthreads()
    for i in range(FAST_TM):
        row = row0 + ty + THREADS * i
        for j in range(FAST_TN):
            col = col0 + tx + THREADS * j
            if row < m and col < n:
                c[row, col] = acc[i, j]


# (kernel, threads per block, C's tile per block) — what a launch needs to know
KERNELS = {
    "naive": (matmul_naive, (TILE, TILE), (TILE, TILE)),
    "tiled": (matmul_tiled, (TILE, TILE), (TILE, TILE)),
    "register_blocked": (matmul_register_blocked, (THREADS, THREADS), (RB_BM, RB_BN)),
    "fast": (matmul_fast, (THREADS, THREADS), (FAST_BM, FAST_BN)),
}


def launch_shape(name: str, m: int, n: int) -> tuple[tuple, tuple]:
    """(blocks, threads) for kernel ``name`` computing an m×n C: blocks cover C's columns along
    x and rows along y."""
    _, threads, (tile_rows, tile_cols) = KERNELS[name]
    return (ceil_div(n, tile_cols), ceil_div(m, tile_rows)), threads


def matmul(a, b, kernel: str = "fast", out=None):
    """C = a @ b with one of the kernels above, on device arrays (CuPy or Numba) or, in the
    simulator, NumPy arrays.  float32, 2-D, any sizes."""
    from .launch import launch
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"matmul kernel: shapes {tuple(a.shape)} and {tuple(b.shape)} do not "
                         f"multiply (need 2-D with a.shape[1] == b.shape[0])")
    if out is None:
        out = runtime.empty_like_device(a, (a.shape[0], b.shape[1]))
    blocks, threads = launch_shape(kernel, a.shape[0], b.shape[1])
    launch(KERNELS[kernel][0], blocks, threads, a, b, out)
    return out
