"""Hypothesis strategies for small float64 arrays (small, since gradcheck costs one forward
pass per element)."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_SIDE = 4


def floats(low=-3.0, high=3.0):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)


def arrays(shape, low=-3.0, high=3.0):
    return hnp.arrays(np.float64, shape, elements=floats(low, high))


def shapes(min_dims=0, max_dims=3, min_side=1):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=MAX_SIDE)


@st.composite
def broadcast_pair(draw, low=-3.0, high=3.0):
    """Two arrays whose shapes broadcast together (size-1 dims and missing dims included)."""
    shapes_ = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3,
                                                      max_side=MAX_SIDE))
    a, b = shapes_.input_shapes
    return draw(arrays(a, low, high)), draw(arrays(b, low, high))


def away_from(values: np.ndarray, points, gap=1e-3) -> np.ndarray:
    """values nudged so no element is within ``gap`` of a kink (where central differences
    straddle two slopes)."""
    values = values.copy()
    for p in points:
        close = np.abs(values - p) < gap
        values[close] = p + 2 * gap
    return values
