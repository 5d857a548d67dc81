"""cupy.random.default_rng: a Generator whose draws are made (and stay) on the device."""
import numpy

from .._core import wrap


class Generator:
    def __init__(self, seed=None):
        self._rng = numpy.random.default_rng(seed)

    def random(self, size=None, dtype=numpy.float64, out=None):
        return wrap(self._rng.random(size, dtype=dtype))

    def standard_normal(self, size=None, dtype=numpy.float64, out=None):
        return wrap(self._rng.standard_normal(size, dtype=dtype))

    def uniform(self, low=0.0, high=1.0, size=None, dtype=numpy.float64):
        return wrap(self._rng.uniform(low, high, size).astype(dtype))

    def integers(self, low, high=None, size=None, dtype=numpy.int64, endpoint=False):
        return wrap(self._rng.integers(low, high, size, dtype=dtype, endpoint=endpoint))


def default_rng(seed=None):
    return Generator(seed)
