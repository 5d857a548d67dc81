"""The CUDA loops whose strategy differs from the CPU's (the LSTM step, max pooling, col2im;
``compile.py`` writes the others for both targets): the same fused operations as
``loops_cpu.py``, one element (or one output pixel) per GPU thread.  ``compile.py``
copies everything below the marker into each CUDA target's module, after that target's
bindings and the formulas (``cuda``, ``KERNEL``, ``ZERO``, ``lstm_gate``... are defined there).

Every kernel uses a grid-stride loop — thread t handles items t, t + (all threads), ... — so
any size runs on any grid, and consecutive threads touch consecutive elements (coalesced
memory access).  No warp-level primitives, so the CUDA simulator runs the same code.
"""
# ruff: noqa: F821  (the names below come from the generated module)
# --- kernels below are copied into each target's module ---


# ----------------------------------------------------------------------------- the LSTM step
@KERNEL
def lstm_step_forward(projected, recurrent, bias, c_prev, h, c, gates, tanh_c):
    rows, n = c_prev.shape
    for k in range(cuda.grid(1), rows * n, cuda.gridsize(1)):
        b, j = k // n, k % n
        i = lstm_gate(projected[b, j] + recurrent[b, j] + bias[j])
        f = lstm_gate(projected[b, n + j] + recurrent[b, n + j] + bias[n + j])
        g = tanh(projected[b, 2 * n + j] + recurrent[b, 2 * n + j] + bias[2 * n + j])
        o = lstm_gate(projected[b, 3 * n + j] + recurrent[b, 3 * n + j] + bias[3 * n + j])
        h[b, j], c[b, j], tanh_c[b, j] = lstm_cell_update(i, f, g, o, c_prev[b, j])
        gates[b, j], gates[b, n + j], gates[b, 2 * n + j], gates[b, 3 * n + j] = i, f, g, o


@KERNEL
def lstm_step_backward(dh, dc_next, c_prev, gates, tanh_c, da, dc_prev):
    rows, n = c_prev.shape
    for k in range(cuda.grid(1), rows * n, cuda.gridsize(1)):
        b, j = k // n, k % n
        da[b, j], da[b, n + j], da[b, 2 * n + j], da[b, 3 * n + j], dc_prev[b, j] = \
            lstm_cell_back(dh[b, j], dc_next[b, j], c_prev[b, j], gates[b, j],
                           gates[b, n + j], gates[b, 2 * n + j], gates[b, 3 * n + j],
                           tanh_c[b, j])


# ----------------------------------------------------------------------------- max pooling
@FORMULA
def pixel_of(k, shape):
    """Item k of a pixel-major (H, W, N, C) array, in memory order: its (y, x, n, channel).
    Consecutive threads take consecutive channels, so their reads and writes coalesce."""
    height, width, batch, channels = shape
    return (k // (channels * batch * width), (k // (channels * batch)) % width,
            (k // channels) % batch, k % channels)


@KERNEL
def max_pool_forward(image, kh, kw, sh, sw, dh, dw, best, winner):
    for k in range(cuda.grid(1), best.size, cuda.gridsize(1)):
        i, j, n, ch = pixel_of(k, best.shape)
        top, at = image[i * sh, j * sw, n, ch], 0
        for u in range(kh):
            for v in range(kw):
                value = image[i * sh + u * dh, j * sw + v * dw, n, ch]
                if value > top:
                    top, at = value, u * kw + v
        best[i, j, n, ch], winner[i, j, n, ch] = top, at


@KERNEL
def max_pool_backward(g, winner, kh, kw, sh, sw, dh, dw, tiled, grad):
    """Windows may overlap, so several threads can add to one input pixel: atomic adds.
    Windows that tile the image own their pixels: each thread writes its whole window."""
    for k in range(cuda.grid(1), g.size, cuda.gridsize(1)):
        i, j, n, ch = pixel_of(k, g.shape)
        at = winner[i, j, n, ch]
        if tiled:
            for offset in range(kh * kw):
                grad[i * sh + (offset // kw) * dh, j * sw + (offset % kw) * dw, n, ch] = \
                    g[i, j, n, ch] if offset == at else ZERO
        else:
            u, v = at // kw, at % kw
            cuda.atomic.add(grad, (i * sh + u * dh, j * sw + v * dw, n, ch), g[i, j, n, ch])


# ----------------------------------------------------------------------------- col2im
@KERNEL
def fold_windows(d, sh, sw, dh, dw, grad):
    """One thread per input pixel and channel gathers the window gradients that read it:
    no two threads write one place, so no atomics (the CPU loop scatters instead)."""
    out_h, out_w, batch, kh, kw, channels = d.shape
    for k in range(cuda.grid(1), grad.size, cuda.gridsize(1)):
        y, x, n, ch = pixel_of(k, grad.shape)
        total = ZERO
        for u in range(kh):
            top = y - u * dh
            if top >= 0 and top % sh == 0 and top // sh < out_h:
                for v in range(kw):
                    left = x - v * dw
                    if left >= 0 and left % sw == 0 and left // sw < out_w:
                        total += d[top // sh, left // sw, n, u, v, ch]
        grad[y, x, n, ch] += total
