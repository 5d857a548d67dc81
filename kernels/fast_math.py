"""Small helpers the CPU kernels are compiled with (see ``compile.py``).

``tanh_float32``: Numba has no vectorized ``tanh`` without Intel's SVML, so ``math.tanh`` is a
call into the C library per element — in the fused LSTM step it cost 15 times the rest of the
arithmetic.  A rational function tanh(x) ≈ x·P(x²)/Q(x²) (the approximation Eigen uses for
float32, with its published coefficients) is plain multiply-adds that the compiler vectorizes,
and is within 3e-7 of tanh everywhere (float32 itself resolves about 6e-8 near 1); beyond
|x| = 7.9 float32's tanh is ±1 anyway.  float64 kernels keep the exact ``math.tanh``.  The one
fast-math licence it takes is ``contract``: each multiply-add of the polynomials may be one
fused instruction (rounded once instead of twice: the error bound above still holds), which
ran 64K tanh in 16.5 µs instead of 23.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

_ALPHA = (-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11,
          5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04,
          4.89352455891786e-03)
_BETA = (1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03,
         4.89352518554385e-03)
A13, A11, A9, A7, A5, A3, A1 = (np.float32(a) for a in _ALPHA)
B6, B4, B2, B0 = (np.float32(b) for b in _BETA)
CLAMP = np.float32(7.90531110763549805)
ONE_32 = np.float32(1.0)


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def tanh_float32(x):
    """tanh(x) for float32 x, as x·P(x²)/Q(x²) on x clamped to ±7.9053 (module docstring),
    and exactly ±1 from the clamp on (fused multiply-adds leave the ratio 2.4e-7 short of 1
    there, which 1 + tanh u in GELU's tanh form would turn into a visible error)."""
    clamped = min(max(x, -CLAMP), CLAMP)
    x2 = clamped * clamped
    p = ((((((A13 * x2 + A11) * x2 + A9) * x2 + A7) * x2 + A5) * x2 + A3) * x2 + A1) * clamped
    q = ((B6 * x2 + B4) * x2 + B2) * x2 + B0
    return p / q if abs(x) < CLAMP else (ONE_32 if x > 0 else -ONE_32)


@njit(cache=True, error_model="numpy")
def tanh_exact(x):
    return math.tanh(x)


@njit(cache=True, error_model="numpy")
def select_cpu(condition, a, b):
    """a where the condition holds, else b (the formulas' ``select``, for one element)."""
    return a if condition else b
