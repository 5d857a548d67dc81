"""The CPU loops whose strategy differs from the GPU's: the LSTM step, max pooling and
col2im (``loops_cuda.py`` has theirs).  The loops that are the same on both but for the loop
header — the pointwise maps, the optimizer updates, the row-wise softmax cross-entropy — are
written by ``compile.py`` from one description each.  ``compile.py`` copies everything below
the marker into each CPU target's module, after that target's bindings and the formulas, so
the names used here (``KERNEL``, ``ZERO``, ``exp``, ``lstm_gate``...) are the ones defined
there.  One loop per fused operation: each reads its inputs once and writes its outputs once
(NumPy would make a pass, and a temporary array, per operator).

Arrays are C-contiguous; pointwise loops take them flattened.  Scalars (a learning rate...)
arrive already in the arrays' dtype, so no arithmetic is promoted to float64.
"""
# ruff: noqa: F821  (the names below come from the generated module)
# --- kernels below are copied into each target's module ---


# ----------------------------------------------------------------------------- the LSTM step
@KERNEL
def lstm_gates_forward(projected, recurrent, bias, gates):
    """gates (B, 4H) = [σ, σ, tanh, σ](projected + recurrent + bias), the blocks [i f] (both
    σ), [g] and [o] one loop each, over views of the block: a loop with one activation and
    one output vectorizes."""
    rows, width = gates.shape
    n = width // 4
    for b in range(rows):
        for start, stop in ((0, 2 * n), (2 * n, 3 * n), (3 * n, width)):
            p, r = projected[b, start:stop], recurrent[b, start:stop]
            add, out = bias[start:stop], gates[b, start:stop]
            if start == 2 * n:
                for k in range(stop - start):
                    out[k] = tanh(p[k] + r[k] + add[k])
            else:
                for k in range(stop - start):
                    out[k] = lstm_gate(p[k] + r[k] + add[k])


@KERNEL
def lstm_state_forward(gates, c_prev, h, c, tanh_c):
    """h, c, tanh c (B, H) from the gates (B, 4H) and c_prev: ``lstm_cell_update``."""
    rows, n = c_prev.shape
    for b in range(rows):
        i, f, g, o = gates[b, :n], gates[b, n:2 * n], gates[b, 2 * n:3 * n], gates[b, 3 * n:]
        before, h_row, c_row, tanh_row = c_prev[b], h[b], c[b], tanh_c[b]
        for j in range(n):
            h_row[j], c_row[j], tanh_row[j] = lstm_cell_update(i[j], f[j], g[j], o[j],
                                                               before[j])


@KERNEL
def lstm_step_forward(projected, recurrent, bias, c_prev, h, c, gates, tanh_c):
    """One cell step: the gates from the pre-activations' three parts (B, 4H), (B, 4H), (4H,),
    then the new state.  Two loops in two functions: Numba compiles each on its own (one
    function holding both loops ran 5 times slower: the loops stopped vectorizing)."""
    lstm_gates_forward(projected, recurrent, bias, gates)
    lstm_state_forward(gates, c_prev, h, c, tanh_c)


@KERNEL
def lstm_step_backward(dh, dc_next, c_prev, gates, tanh_c, da, dc_prev):
    """From dh, dc_next (B, H) and the forward's caches: da (B, 4H) and dc_prev (B, H), row
    by row (``lstm_cell_back``).  Each gate's block is its own view: indexed as four views
    the loop vectorizes (3 times faster than indexing one row at four offsets)."""
    rows, n = c_prev.shape
    for b in range(rows):
        i, f, g, o = gates[b, :n], gates[b, n:2 * n], gates[b, 2 * n:3 * n], gates[b, 3 * n:]
        d_i, d_f, d_g, d_o = da[b, :n], da[b, n:2 * n], da[b, 2 * n:3 * n], da[b, 3 * n:]
        dh_row, dc_row, before, tanh_row, d_before = \
            dh[b], dc_next[b], c_prev[b], tanh_c[b], dc_prev[b]
        for j in range(n):
            d_i[j], d_f[j], d_g[j], d_o[j], d_before[j] = lstm_cell_back(
                dh_row[j], dc_row[j], before[j], i[j], f[j], g[j], o[j], tanh_row[j])


# ----------------------------------------------------------------------------- max pooling
@KERNEL
def max_pool_forward(image, kh, kw, sh, sw, dh, dw, best, winner):
    """image: pixel-major (Hp, Wp, N, C); best, winner: (OH, OW, N, C).  The running maximum
    over the window's offsets, in offset order, keeping the first offset that attains it.  The
    innermost loop runs along the channels, contiguous in memory, so it vectorizes."""
    out_h, out_w, batch, channels = best.shape
    for i in range(out_h):
        for j in range(out_w):
            for n in range(batch):
                top, at, first = best[i, j, n], winner[i, j, n], image[i * sh, j * sw, n]
                for ch in range(channels):
                    top[ch], at[ch] = first[ch], 0
                for k in range(1, kh * kw):
                    row = image[i * sh + (k // kw) * dh, j * sw + (k % kw) * dw, n]
                    for ch in range(channels):
                        better = row[ch] > top[ch]
                        top[ch] = select(better, row[ch], top[ch])
                        at[ch] = select(better, k, at[ch])


@KERNEL
def max_pool_backward(g, winner, kh, kw, sh, sw, dh, dw, tiled, grad):
    """grad (Hp, Wp, N, C): each window's gradient added at its winning offset.  Offset by
    offset, the innermost loop adds g where that offset won (0 elsewhere) along the
    contiguous channels: a branch-free loop that vectorizes, where a scatter to each winner's
    address would not.  When the windows ``tiled`` the image (each pixel in exactly one),
    every pixel is written once and grad need not be zeroed first; else the caller zeroes it."""
    out_h, out_w, batch, channels = g.shape
    for i in range(out_h):
        for j in range(out_w):
            for n in range(batch):
                source, at = g[i, j, n], winner[i, j, n]
                for k in range(kh * kw):
                    row = grad[i * sh + (k // kw) * dh, j * sw + (k % kw) * dw, n]
                    if tiled:
                        for ch in range(channels):
                            row[ch] = select(at[ch] == k, source[ch], ZERO)
                    else:
                        for ch in range(channels):
                            row[ch] += select(at[ch] == k, source[ch], ZERO)


# ----------------------------------------------------------------------------- col2im
@KERNEL
def fold_windows(d, sh, sw, dh, dw, grad):
    """col2im: grad (Hp, Wp, N, C), zeroed by the caller, gets each window's gradient
    d (OH, OW, N, KH, KW, C) added where that window read.  One pass over d, in its memory
    order; the innermost loop adds a run of C channels (it vectorizes).  Overlapping windows
    add to the same pixels, which one thread may do in any order."""
    out_h, out_w, batch, kh, kw, channels = d.shape
    for i in range(out_h):
        for j in range(out_w):
            for n in range(batch):
                for u in range(kh):
                    for v in range(kw):
                        row = grad[i * sh + u * dh, j * sw + v * dw, n]
                        window = d[i, j, n, u, v]
                        for ch in range(channels):
                            row[ch] += window[ch]
