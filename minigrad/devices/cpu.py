"""The CPU: NumPy arrays, NumPy's random numbers, Numba's CPU kernels."""
from __future__ import annotations

import numpy as np

from .. import random
from .base import Backend


class NumPyForFormulas:
    """NumPy as the op formulas see it: every name of ``numpy``, except that the reductions and
    axis shuffles whose function forms (``np.max(a, axis=...)``, ``np.transpose(a, axes)``) go
    through a Python-level dispatch — microseconds per call, more than the arithmetic on small
    arrays — call the array methods instead.  Same signatures, same results."""

    def __getattr__(self, name):
        value = getattr(np, name)
        setattr(self, name, value)  # found directly from now on
        return value

    @staticmethod
    def max(a, axis=None, out=None, keepdims=False):
        return a.max(axis=axis, out=out, keepdims=keepdims)

    @staticmethod
    def min(a, axis=None, out=None, keepdims=False):
        return a.min(axis=axis, out=out, keepdims=keepdims)

    @staticmethod
    def sum(a, axis=None, dtype=None, out=None, keepdims=False):
        return a.sum(axis=axis, dtype=dtype, out=out, keepdims=keepdims)

    @staticmethod
    def mean(a, axis=None, dtype=None, out=None, keepdims=False):
        return a.mean(axis=axis, dtype=dtype, out=out, keepdims=keepdims)

    @staticmethod
    def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return a.var(axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims)

    @staticmethod
    def transpose(a, axes=None):
        return a.transpose(axes)

    @staticmethod
    def swapaxes(a, axis1, axis2):
        return a.swapaxes(axis1, axis2)

    @staticmethod
    def reshape(a, shape):
        return a.reshape(shape)


numpy_for_formulas = NumPyForFormulas()


class CPU(Backend):
    name = kernel_target = "cpu"

    @property
    def xp(self):
        return numpy_for_formulas

    def checked_xp(self):
        return numpy_for_formulas

    def owns(self, array) -> bool:
        return type(array) is np.ndarray

    def generator(self) -> np.random.Generator:
        """The NumPy Generator behind the default ``minigrad.Generator``."""
        return random.default_generator.numpy

    def from_host(self, array):
        return array

    def to_host(self, array):
        return array

    def run_kernel(self, kernel, size: int, *args) -> None:
        """A Numba CPU kernel is a plain call: its loop covers every item."""
        kernel(*args)

    def erf(self, x):
        from scipy.special import erf
        return erf(x)

    def scatter_add(self, target, index, values) -> None:
        if _picks_whole_rows(target, index, values):
            _add_rows(target, index, values)
        else:
            np.add.at(target, index, values)

    def as_strided(self, array, shape: tuple, strides: tuple):
        return np.lib.stride_tricks.as_strided(array, shape, strides, writeable=False)


def _picks_whole_rows(target, index, values) -> bool:
    """Whether ``index`` is one integer per row of ``values``, each picking a whole row of
    ``target`` (an embedding's backward: a word's vector gets one row per use)."""
    return (type(index) is np.ndarray and index.ndim == 1 and index.dtype.kind in "iu" and
            len(index) > 0 and type(values) is np.ndarray and values.dtype.kind == "f" and
            values.dtype.itemsize >= 4 and
            values.ndim == target.ndim >= 2 and values.shape == index.shape + target.shape[1:])


def _add_rows(target, index, values) -> None:
    """``target[index] += values`` for whole rows, repeats added up, as one sparse matrix
    product: S (rows of target × rows of values) has a 1 where row k of values goes, so
    S @ values sums each target row's values in one pass.  NumPy's ``add.at`` adds one
    element at a time: 6 times slower for P8's embedding (3,200 words × 64)."""
    import scipy.sparse
    count = len(index)
    picks = scipy.sparse.csr_matrix(
        (np.ones(count, values.dtype), (index % len(target), np.arange(count))),
        shape=(len(target), count))
    target += (picks @ values.reshape(count, -1)).reshape(target.shape)
