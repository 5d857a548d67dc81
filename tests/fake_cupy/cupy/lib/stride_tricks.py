"""cupy.lib.stride_tricks.as_strided: no ``writeable`` argument (unlike NumPy's)."""
import numpy

from .._core import ndarray, wrap


def as_strided(x, shape=None, strides=None):
    if not isinstance(x, ndarray):
        raise TypeError(f"Unsupported type {type(x)}")
    return wrap(numpy.lib.stride_tricks.as_strided(x._a, shape, strides))
