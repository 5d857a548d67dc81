"""Row bodies shared by the CPU and the CUDA loops: what one row of a row-wise kernel
computes, written once.  ``compile.py`` copies everything below the marker into each target's
module as device functions (``FORMULA``), and writes each target's loop around them: on the
CPU every row in turn, on CUDA one row per thread (``compile.ROWS``).  The names used here
(``FORMULA``, ``ZERO``, ``exp``...) are the ones each target's module defines.
"""
# ruff: noqa: F821  (the names below come from the generated module)
# --- kernels below are copied into each target's module ---


@FORMULA
def softmax_cross_entropy_row(x, target, ignore_index, p, loss, r):
    """Row r: p = softmax(x) (shifted by the row's max), loss = log Σ e^x − x_target, or 0
    for a row whose target is ``ignore_index``."""
    classes = x.shape[1]
    top = x[r, 0]
    for k in range(1, classes):
        top = max(top, x[r, k])
    total = ZERO
    for k in range(classes):
        p[r, k] = exp(x[r, k] - top)
        total += p[r, k]
    inverse = ONE / total
    for k in range(classes):
        p[r, k] *= inverse
    t = target[r]
    loss[r] = ZERO if t == ignore_index else top + log(total) - x[r, t]


@FORMULA
def softmax_cross_entropy_backward_row(p, target, ignore_index, scale, dx, r):
    """Row r: dx = (p − one_hot(target)) · scale[r] (0 for an ignored row)."""
    t = target[r]
    s = ZERO if t == ignore_index else scale[r]
    for k in range(p.shape[1]):
        dx[r, k] = p[r, k] * s
    if t != ignore_index:
        dx[r, t] -= s
