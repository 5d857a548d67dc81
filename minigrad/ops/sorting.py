"""Sorting and selecting: ``sort``, ``argsort``, ``topk``, ``unique``.

The indices that order a tensor carry no gradient; the sorted (or top-k) values are the input
*gathered* at those indices along the dim, so their gradient flows back through ``Gather`` to
the positions the values came from: dL/dx[i] = g at the place x[i] was moved to, 0 for an
element topk left out.  NaN sorts as the largest value, as in PyTorch.
"""
from __future__ import annotations

from ..backend import array_module_of
from ..errors import ShapeError
from .reduce import normalize_dims


def order(x, dim: int = -1, descending: bool = False):
    """The int64 indices that sort ``x`` along ``dim`` (stable: equal values keep their
    order, also when descending)."""
    xp = array_module_of(x)
    if x.ndim == 0:
        return xp.zeros((), dtype=xp.int64)
    key = x.astype(xp.int64) if x.dtype.kind in "bu" else x
    if descending:  # ascending order of −x, with NaN (the largest) first
        key = -key if key.dtype.kind != "f" else xp.where(xp.isnan(key), -xp.inf, -key)
    return xp.argsort(key, axis=normalize_dims(dim, x.ndim)[0], kind="stable").astype(xp.int64)


def top(x, k: int, dim: int = -1, largest: bool = True):
    """The indices of the ``k`` largest (or smallest) values along ``dim``, in order."""
    axis = normalize_dims(dim, x.ndim)[0] if x.ndim else None
    size = 1 if axis is None else x.shape[axis]
    if isinstance(k, bool) or not 0 <= k <= size:
        raise ShapeError(f"topk: k = {k} is out of range for a dim of size {size} (shape "
                         f"{tuple(x.shape)})")
    indices = order(x, dim, descending=largest)
    if axis is None:
        return indices
    first_k = [slice(None)] * x.ndim
    first_k[axis] = slice(0, k)
    return indices[tuple(first_k)]


def unique(x, dim=None):
    """(values, inverse, counts): the distinct values of ``x`` (or, with ``dim``, its distinct
    slices along dim), sorted (PyTorch's CPU sorts them even with ``sorted=False``), the index
    of each element's value among them, and each value's count."""
    xp = array_module_of(x)
    axis = None if dim is None else normalize_dims(dim, x.ndim)[0]
    values, inverse, counts = xp.unique(x, return_inverse=True, return_counts=True, axis=axis)
    inverse = inverse.reshape(x.shape if axis is None else (x.shape[axis],)).astype(xp.int64)
    return values, inverse, counts.astype(xp.int64)
