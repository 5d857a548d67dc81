"""The Tensor: an array, the gradient it receives, and the node that made it.

A Tensor wraps a raw array (``.array``: NumPy on the CPU, CuPy on a GPU; ``.data`` is, as in
PyTorch, the same values as a Tensor outside the graph).  When it was produced
by a recorded operation, ``.grad_fn`` is that operation's node (a ``Function``), which holds the
input tensors; following those links backwards is the computation graph that ``backward()``
walks.  Leaves (tensors made by you, not by an op) have ``grad_fn is None`` and collect their
gradient in ``.grad``.

Every method that computes something is a thin call into ``minigrad.ops``, where the forward and
backward formulas are written out.
"""
from __future__ import annotations

import operator
import weakref
from collections import namedtuple

import numpy as np

from . import backend, promotion, random, versions

_MaxResult = namedtuple("_MaxResult", ["values", "indices"])
_SortResult = namedtuple("_SortResult", ["values", "indices"])
_TopkResult = namedtuple("_TopkResult", ["values", "indices"])


_TYPE_NAMES = {np.dtype(d): n for d, n in (
    (np.float32, "FloatTensor"), (np.float64, "DoubleTensor"), (np.float16, "HalfTensor"),
    (np.int64, "LongTensor"), (np.int32, "IntTensor"), (np.int16, "ShortTensor"),
    (np.int8, "CharTensor"), (np.uint8, "ByteTensor"), (np.bool_, "BoolTensor"))}
"""PyTorch's legacy type names, which ``Tensor.type()`` returns."""


def _triangle(x: "Tensor", diagonal: int, lower: bool) -> "Tensor":
    """A 0/1 mask of x's dtype that keeps the lower (or upper) triangle of the last two dims."""
    if x.ndim < 2:
        raise ops.shape.ShapeError(f"{'tril' if lower else 'triu'}: needs at least 2 dims, got "
                                   f"shape {tuple(x.shape)}")
    xp = backend.array_module_of(x.array)
    ones = xp.ones(x.shape[-2:], dtype=bool)
    keep = xp.tril(ones, diagonal) if lower else xp.triu(ones, diagonal)
    return Tensor._wrap(keep.astype(x.dtype), None)


def _device_named(name: str):
    from .device import device
    known = _DEVICES.get(name)
    if known is None:
        known = _DEVICES[name] = device(name)
    return known


_DEVICES: dict = {}


def _raw(value):
    """The array inside a Tensor; anything else unchanged."""
    return value.array if isinstance(value, Tensor) else value


class Tensor:
    """An n-dimensional array that can record the operations applied to it."""

    __slots__ = ("array", "grad", "requires_grad", "grad_fn", "__weakref__")
    __array_ufunc__ = None  # make ``ndarray + Tensor`` call Tensor.__radd__

    def __init__(self, data, dtype=None, requires_grad: bool = False, device=None):
        from .creation import as_array
        self.array = as_array(data, dtype, device)
        self.grad = None
        self.grad_fn = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _wrap(data, grad_fn) -> "Tensor":
        """A Tensor around an existing array, without copying or converting it."""
        if isinstance(data, np.generic):
            data = np.asarray(data)
        out = object.__new__(Tensor)
        out.array = data
        out.grad = None
        out.grad_fn = grad_fn
        out.requires_grad = grad_fn is not None
        return out

    # ------------------------------------------------------------------ what it is
    @property
    def shape(self) -> tuple:
        return self.array.shape

    @property
    def dtype(self):
        return self.array.dtype

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def device(self):
        """Where the data lives: a ``minigrad.device`` ("cpu" or "cuda"), equal to its name."""
        return _device_named(backend.device_of(self.array))

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    is_xpu = False  # no Intel GPUs here (PyTorch's examples ask)

    @property
    def is_leaf(self) -> bool:
        """True for tensors you made yourself (not the result of a recorded op)."""
        return self.grad_fn is None

    def size(self, dim: int | None = None):
        """The shape, or the length of one dimension."""
        return self.array.shape if dim is None else self.array.shape[dim]

    def dim(self) -> int:
        return self.array.ndim

    def numel(self) -> int:
        return int(self.array.size)

    nelement = numel

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    @property
    def data(self) -> "Tensor":
        """The same values as a Tensor that records nothing (PyTorch's ``.data``): changes
        made through it (``p.data.add_(-lr * p.grad)``) are not recorded and not checked.
        The raw NumPy/CuPy array is ``.array``."""
        return Tensor._wrap(self.array, None)

    @data.setter
    def data(self, value) -> None:
        from .creation import as_array
        self.array = value.array if isinstance(value, Tensor) else as_array(value, None, None)

    # ------------------------------------------------------------------ autograd
    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Mark a leaf as a variable whose gradient backward() should compute."""
        if requires_grad and self.array.dtype.kind != "f":
            raise TypeError(f"only floating point tensors can require gradients; this tensor "
                            f"has dtype {self.array.dtype} (make it with dtype=minigrad.float32)")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False) on a non-leaf tensor: use detach()")
        self.requires_grad = requires_grad
        return self

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(self)`` after each backward pass has added its last contribution to
        this leaf's ``.grad`` (``minigrad.autograd.engine``); returns a handle whose
        ``remove()`` unregisters it."""
        from .autograd.engine import register_post_accumulate_grad_hook
        return register_post_accumulate_grad_hook(self, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False,
                 inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see autograd.backward):
        the saved values are freed afterwards unless ``retain_graph=True``, and with
        ``create_graph=True`` the gradients are themselves differentiable."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs)

    def retain_grad(self) -> None:
        """Keep this intermediate tensor's gradient in ``.grad`` at the next backward().
        The node holds the tensor weakly: a strong reference would make a cycle (tensor →
        node → tensor) that keeps both, and their arrays, alive until the garbage collector
        runs, where dropping the last name for the tensor should free them at once."""
        if self.grad_fn is not None:
            self.grad_fn.retained = weakref.ref(self)

    def detach(self) -> "Tensor":
        """The same data, cut from the graph (an in-place change of either is seen by both,
        and counts as a change of both)."""
        return Tensor._wrap(self.array, None)

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's data has had (PyTorch's ``_version``)."""
        return versions.version(self.array)

    def _bump_version(self) -> None:
        """Count an in-place change of the data (see ``minigrad.versions``)."""
        versions.note_inplace_change(self.array)

    # ------------------------------------------------------------------ conversions
    def item(self):
        """The single value of a one-element tensor as a Python number."""
        if self.array.size != 1:
            raise ValueError(f"item(): only one-element tensors can be converted to Python "
                             f"scalars; this one has shape {tuple(self.shape)}")
        backend.raise_deferred()  # the host waits for the device here anyway
        return self.array.reshape(()).item()

    def numpy(self) -> np.ndarray:
        """The data as a NumPy array (shares memory on the CPU)."""
        if self.device != "cpu":
            raise TypeError("numpy(): the tensor is on 'cuda'; call .cpu() first")
        return self.array

    def tolist(self):
        backend.raise_deferred()
        return self.array.tolist()

    def __array__(self, dtype=None, copy=None):
        array = backend.to_device(self.array, "cpu")
        return array if dtype is None else array.astype(dtype)

    def __format__(self, spec: str) -> str:
        """A 0-d tensor formats as its number, ``f"{loss}"`` and ``f"{loss:.3f}"`` alike, as in
        PyTorch; a one-element tensor too when a format is given."""
        if self.ndim == 0 or (spec and self.array.size == 1):
            return format(self.item(), spec)
        return format(str(self), spec)

    def __index__(self) -> int:
        """An integer tensor of one element used as an index (``items[t]``, ``range(t)``)."""
        if self.array.size != 1 or self.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors of a single element can be converted to an "
                            f"index; got dtype {self.dtype} and shape {tuple(self.shape)}")
        return int(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise RuntimeError(f"the truth value of a tensor with {self.array.size} elements is "
                               f"ambiguous: use .any() or .all()")
        return bool(self.item())

    __hash__ = object.__hash__

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        from .display import tensor_repr
        return tensor_repr(self)

    def to(self, *args, dtype=None, device=None, non_blocking: bool = False) -> "Tensor":
        """``to("cuda")``, ``to(minigrad.float64)``, ``to(device, dtype)``: a converted copy
        (or self when nothing changes); differentiable.  ``non_blocking`` is accepted and
        changes nothing (a copy here is complete when it returns)."""
        for arg in args:
            if isinstance(arg, str) or arg is None:
                device = arg
            else:
                dtype = arg
        out = self
        if device is not None and backend.normalize_device(device) != self.device:
            out = ops.shape.ToDevice.apply(out, device=backend.normalize_device(device))
        if dtype is not None and np.dtype(dtype) != out.dtype:
            out = ops.elementwise.Cast.apply(out, dtype=np.dtype(dtype))
        return out

    def cpu(self) -> "Tensor":
        return self.to("cpu")

    def cuda(self) -> "Tensor":
        return self.to("cuda")

    def float(self) -> "Tensor":
        return self.to(np.float32)

    def double(self) -> "Tensor":
        return self.to(np.float64)

    def long(self) -> "Tensor":
        return self.to(np.int64)

    def int(self) -> "Tensor":
        return self.to(np.int32)

    def bool(self) -> "Tensor":
        return self.to(np.bool_)

    # ------------------------------------------------------------------ in place (no graph)
    # These change .data directly and are not recorded: use them on leaves under no_grad()
    # (parameter updates), never on a tensor whose value a recorded op still needs.
    def _check_inplace(self, name: str) -> None:
        from .autograd import is_grad_enabled
        if self.requires_grad and is_grad_enabled():
            raise RuntimeError(f"{name}(): a tensor that requires grad cannot be changed in "
                               f"place while grad is recorded; wrap it in minigrad.no_grad()")

    def zero_(self) -> "Tensor":
        return self._update("zero_", 0)

    def fill_(self, value) -> "Tensor":
        return self._update("fill_", value)

    def copy_(self, source) -> "Tensor":
        return self._update("copy_", _raw(source))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> "Tensor":
        """Fill with samples of N(mean, std²), in place."""
        values = random.numpy_generator(generator).normal(mean, std, self.shape)
        return self._update("normal_", backend.to_device(values.astype(self.dtype), self.device))

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator=None) -> "Tensor":
        """Fill with samples of U(a, b), in place."""
        values = random.numpy_generator(generator).uniform(a, b, self.shape)
        return self._update("uniform_", backend.to_device(values.astype(self.dtype), self.device))

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator=None) -> "Tensor":
        """Category indices drawn with probability proportional to this tensor's weights
        (``minigrad.multinomial``)."""
        from .creation import multinomial
        return multinomial(self, num_samples, replacement, generator)

    def new_full(self, size, fill_value, dtype=None, device=None,
                 requires_grad: bool = False) -> "Tensor":
        """A new tensor of ``size`` filled with ``fill_value``, of this tensor's dtype and
        device unless told otherwise."""
        from .creation import full
        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False):
        return self.new_full(ops.shape.size_args(size), 0, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False):
        return self.new_full(ops.shape.size_args(size), 1, dtype, device, requires_grad)

    def new_tensor(self, data, dtype=None, device=None, requires_grad: bool = False):
        return Tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad)

    def _update(self, name: str, result) -> "Tensor":
        self._check_inplace(name)
        self.array[...] = result
        self._bump_version()
        return self

    def _arithmetic_(self, name: str, op, other) -> "Tensor":
        """``self = self <op> other`` in place, refused (before any change) when PyTorch's
        result type is of a higher category than self's dtype (``int_tensor.div_(2)``).
        Inside the graph (self or other requires grad, grad recorded) it is recorded."""
        raw = _raw(other)
        result = (promotion.float_result_type if name == "div_" else promotion.result_type)(
            self.array, raw)
        promotion.check_inplace_cast(name, result, self.array.dtype)
        from .autograd import is_grad_enabled
        if is_grad_enabled() and (self.requires_grad or getattr(other, "requires_grad", False)):
            return self._recorded_(name, *_INPLACE_OPS[name], other)
        return self._update(name, op(self.array, raw))

    def _recorded_(self, name: str, function, reads_old: bool, other, **options) -> "Tensor":
        """``h += x`` inside the graph, recorded as PyTorch records it: the op runs out of place
        on the old value (a copy when ``reads_old``: the op's backward reads it, as ``mul_``'s
        does), the result is written into this tensor's own storage, and the tensor becomes
        the op's output.  A node that saved the old array for its backward then finds it changed and
        refuses, as PyTorch does.  Refused: a leaf that requires grad (its value is the
        variable itself), and a view of another tensor's storage (the other tensor's graph
        would not see the change; PyTorch rebases it, minigrad does not)."""
        if self.grad_fn is None and self.requires_grad:
            raise RuntimeError(f"{name}(): a leaf tensor that requires grad cannot be changed in "
                               f"place while grad is recorded; wrap it in minigrad.no_grad()")
        if (self.grad_fn.returns_view if self.grad_fn is not None else
                self.array.base is not None):
            raise RuntimeError(f"{name}(): this tensor is a view of another tensor's data "
                               f"(shape {tuple(self.shape)}); changing it in place inside the "
                               f"graph is not recorded here: write it out of place (x = x + y)")
        before = Tensor._wrap(self.array.copy() if reads_old else self.array, self.grad_fn)
        before.requires_grad = self.requires_grad
        out = function.apply(before, other, **options)
        if out.dtype != self.dtype:
            out = ops.elementwise.Cast.apply(out, dtype=self.dtype)
        self.array[...] = out.array
        self._bump_version()
        self.grad_fn, self.requires_grad = out.grad_fn, out.requires_grad
        return self

    def add_(self, other) -> "Tensor":
        return self._arithmetic_("add_", operator.add, other)

    def sub_(self, other) -> "Tensor":
        return self._arithmetic_("sub_", operator.sub, other)

    def mul_(self, other) -> "Tensor":
        return self._arithmetic_("mul_", operator.mul, other)

    def div_(self, other) -> "Tensor":
        return self._arithmetic_("div_", operator.truediv, other)

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other):
        return ops.elementwise.Add.apply(self, other)

    def __radd__(self, other):
        return ops.elementwise.Add.apply(other, self)

    def __sub__(self, other):
        return ops.elementwise.Sub.apply(self, other)

    def __rsub__(self, other):
        return ops.elementwise.Sub.apply(other, self)

    def __mul__(self, other):
        return ops.elementwise.Mul.apply(self, other)

    def __rmul__(self, other):
        return ops.elementwise.Mul.apply(other, self)

    def __truediv__(self, other):
        return ops.elementwise.Div.apply(self, other)

    def __rtruediv__(self, other):
        return ops.elementwise.Div.apply(other, self)

    def __floordiv__(self, other):
        return self.div(other, rounding_mode="floor")

    def __rfloordiv__(self, other):
        return Tensor._wrap(backend.array_module_of(self.array).asarray(_raw(other)),
                            None).div(self, rounding_mode="floor")

    def __mod__(self, other):
        return ops.elementwise.Remainder.apply(self, other)

    def __rmod__(self, other):
        return ops.elementwise.Remainder.apply(other, self)

    remainder = __mod__

    def __pow__(self, exponent):
        return ops.elementwise.Pow.apply(self, exponent)

    def __rpow__(self, base):
        return ops.elementwise.Pow.apply(base, self)

    def __neg__(self):
        return ops.elementwise.Neg.apply(self)

    def __abs__(self):
        return ops.elementwise.Abs.apply(self)

    def __matmul__(self, other):
        return ops.matmul.MatMul.apply(self, other)

    def __rmatmul__(self, other):
        return ops.matmul.MatMul.apply(other, self)

    # PyTorch's method spellings of the operators
    def add(self, other, *, alpha=1):
        """self + alpha · other."""
        return self + (other if alpha == 1 else alpha * other)

    def sub(self, other, *, alpha=1):
        """self − alpha · other."""
        return self - (other if alpha == 1 else alpha * other)

    def mul(self, other):
        return self * other

    def div(self, other, *, rounding_mode=None):
        """self / other; ``rounding_mode="floor"`` rounds the quotient down, ``"trunc"``
        towards zero (gradient 0, as PyTorch); integers then stay integers."""
        if rounding_mode is None:
            return self / other
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got "
                             f"{rounding_mode!r}")
        a, b = promotion.promoted([self.array, _raw(other)], "common")
        if a.dtype.kind in "iub":  # exact integer division, no gradient to carry
            xp = backend.array_module_of(a)
            quotient = xp.floor_divide(a, b) if rounding_mode == "floor" else \
                xp.sign(a) * xp.sign(b) * xp.floor_divide(xp.abs(a), xp.abs(b))
            return Tensor._wrap(xp.asarray(quotient, dtype=a.dtype), None)
        return ops.elementwise.Floor.apply(self / other, rounding=rounding_mode)

    def neg(self):
        return -self

    negative = neg

    # comparisons and logic give boolean tensors (ops without gradients: traced, not recorded)
    def __eq__(self, other):
        return ops.elementwise.Compare.apply(self, other, op="eq")

    def __ne__(self, other):
        return ops.elementwise.Compare.apply(self, other, op="ne")

    def __lt__(self, other):
        return ops.elementwise.Compare.apply(self, other, op="lt")

    def __le__(self, other):
        return ops.elementwise.Compare.apply(self, other, op="le")

    def __gt__(self, other):
        return ops.elementwise.Compare.apply(self, other, op="gt")

    def __ge__(self, other):
        return ops.elementwise.Compare.apply(self, other, op="ge")

    def eq(self, other):
        return self == other

    def __and__(self, other):
        return ops.elementwise.Logical.apply(self, other, op="and")

    def __or__(self, other):
        return ops.elementwise.Logical.apply(self, other, op="or")

    def __xor__(self, other):
        return ops.elementwise.Logical.apply(self, other, op="xor")

    def __invert__(self):
        if self.array.dtype.kind not in "biu":
            raise TypeError(f"~ (bitwise not) is only defined for bool and integer tensors, "
                            f"not {self.dtype}")
        return ops.elementwise.Logical.apply(self, op="not")

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def any(self, dim=None, keepdim: bool = False) -> "Tensor":
        """Whether any element (along ``dim``) is non-zero: a bool tensor."""
        axis = None if dim is None else ops.reduce.normalize_dims(dim, self.ndim)
        return Tensor._wrap(self.array.any(axis=axis, keepdims=keepdim), None)

    def all(self, dim=None, keepdim: bool = False) -> "Tensor":
        """Whether every element (along ``dim``) is non-zero: a bool tensor."""
        axis = None if dim is None else ops.reduce.normalize_dims(dim, self.ndim)
        return Tensor._wrap(self.array.all(axis=axis, keepdims=keepdim), None)

    def isclose(self, other, rtol: float = 1e-5, atol: float = 1e-8,
                equal_nan: bool = False) -> "Tensor":
        """|self − other| <= atol + rtol·|other|, elementwise (a bool tensor)."""
        xp = backend.array_module_of(self.array)
        return Tensor._wrap(xp.isclose(self.array, _raw(other), rtol, atol, equal_nan), None)

    def allclose(self, other, rtol: float = 1e-5, atol: float = 1e-8,
                 equal_nan: bool = False) -> bool:
        return bool(self.isclose(other, rtol, atol, equal_nan).all())

    # ------------------------------------------------------------------ sorting and selecting
    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        """(values, indices) along ``dim``; the values carry the gradient back to where each
        came from (``ops.sorting``).  Always stable."""
        indices = Tensor._wrap(ops.sorting.order(self.array, dim, descending), None)
        return _SortResult(self.gather(dim, indices) if self.ndim else self * 1, indices)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        return Tensor._wrap(ops.sorting.order(self.array, dim, descending), None)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        """(values, indices) of the ``k`` largest (``largest=False``: smallest) along ``dim``,
        in order; the values carry the gradient back to their positions."""
        indices = Tensor._wrap(ops.sorting.top(self.array, k, dim, largest), None)
        return _TopkResult(self.gather(dim, indices) if self.ndim else self * 1, indices)

    def unique(self, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
               return_counts: bool = False, dim=None):
        """The distinct values (or slices along ``dim``), sorted; with the inverse indices
        and/or the counts when asked, as in PyTorch."""
        values, inverse, counts = ops.sorting.unique(self.array, dim)
        extras = [Tensor._wrap(a, None) for a, wanted in ((inverse, return_inverse),
                                                          (counts, return_counts)) if wanted]
        return (Tensor._wrap(values, None), *extras) if extras else Tensor._wrap(values, None)

    def roll(self, shifts, dims=None):
        return ops.copies.Roll.apply(self, shifts=shifts, dims=dims)

    # ------------------------------------------------------------------ elementwise math
    def exp(self):
        return ops.elementwise.Exp.apply(self)

    def log2(self):
        return ops.elementwise.LogBase.apply(self, base=2)

    def log10(self):
        return ops.elementwise.LogBase.apply(self, base=10)

    def log(self):
        return ops.elementwise.Log.apply(self)

    def sqrt(self):
        return ops.elementwise.Sqrt.apply(self)

    def abs(self):
        return ops.elementwise.Abs.apply(self)

    def pow(self, exponent):
        return ops.elementwise.Pow.apply(self, exponent)

    def log1p(self):
        """ln(1 + x)."""
        return (self + 1).log()

    def norm(self, p=2, dim=None, keepdim: bool = False):
        """The p-norm (Σ|x|^p)^(1/p) over ``dim`` (all elements by default); p = 2 is
        √(Σx²), "fro" means 2, inf the largest |x|."""
        p = 2 if p == "fro" else p
        if p == float("inf"):
            return self.abs().amax(dim, keepdim)
        if p == 2:
            return (self * self).sum(dim, keepdim).sqrt()
        return (self.abs() ** p).sum(dim, keepdim) ** (1 / p)

    def mm(self, other):
        """The matrix product of two 2-D tensors."""
        if self.ndim != 2 or getattr(other, "ndim", 0) != 2:
            raise ops.shape.ShapeError(f"mm: expected two 2-D tensors, got shapes "
                                       f"{tuple(self.shape)} and {tuple(other.shape)}")
        return self @ other

    def sin(self):
        return ops.elementwise.Sin.apply(self)

    def cos(self):
        return ops.elementwise.Cos.apply(self)

    def floor(self):
        return ops.elementwise.Floor.apply(self)

    def trunc(self):
        return ops.elementwise.Floor.apply(self, rounding="trunc")

    def erf(self):
        return ops.elementwise.Erf.apply(self)

    def masked_fill(self, mask, value):
        """A copy with ``value`` where ``mask`` (bool, broadcastable to self) is True.
        dL/dself = g where the mask is False, else 0."""
        mask = _raw(mask)
        if getattr(mask, "dtype", None) != np.bool_:
            raise TypeError(f"masked_fill: mask must be a bool tensor, got "
                            f"{getattr(mask, 'dtype', type(mask).__name__)}")
        if np.broadcast_shapes(mask.shape, self.shape) != self.shape:
            raise ops.shape.ShapeError(f"masked_fill: mask of shape {tuple(mask.shape)} does "
                                       f"not broadcast to the tensor's shape {self.shape}")
        if isinstance(value, Tensor) and value.ndim:
            raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape "
                             f"{value.shape}")
        return ops.elementwise.Where.apply(mask, value, self)

    def maximum(self, other):
        return ops.elementwise.Maximum.apply(self, other)

    def minimum(self, other):
        return ops.elementwise.Minimum.apply(self, other)

    def clamp(self, min=None, max=None):
        return ops.elementwise.Clamp.apply(self, low=_raw(min), high=_raw(max))

    clip = clamp

    def relu(self):
        return ops.activations.ReLU.apply(self)

    def sigmoid(self):
        return ops.activations.Sigmoid.apply(self)

    def tanh(self):
        return ops.activations.Tanh.apply(self)

    def softmax(self, dim: int):
        return ops.activations.Softmax.apply(self, dim=dim)

    def log_softmax(self, dim: int):
        return ops.activations.LogSoftmax.apply(self, dim=dim)

    def matmul(self, other):
        return ops.matmul.MatMul.apply(self, other)

    # ------------------------------------------------------------------ reductions
    # ``axis``/``keepdims`` are accepted for ``dim``/``keepdim``, as PyTorch does (NumPy's names)
    def sum(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        dim, keepdim = ops.reduce.numpy_names(dim, keepdim, axis, keepdims)
        return ops.reduce.Sum.apply(self, dim=dim, keepdim=keepdim)

    def mean(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        dim, keepdim = ops.reduce.numpy_names(dim, keepdim, axis, keepdims)
        return ops.reduce.Mean.apply(self, dim=dim, keepdim=keepdim)

    def var(self, dim=None, keepdim: bool = False, *, unbiased=None, correction=None):
        correction = ops.reduce.resolve_correction(unbiased, correction)
        return ops.reduce.Var.apply(self, dim=dim, keepdim=keepdim, correction=correction)

    def std(self, dim=None, keepdim: bool = False, *, unbiased=None, correction=None):
        correction = ops.reduce.resolve_correction(unbiased, correction)
        return ops.reduce.Std.apply(self, dim=dim, keepdim=keepdim, correction=correction)

    def prod(self, dim=None, keepdim: bool = False):
        return ops.reduce.Prod.apply(self, dim=dim, keepdim=keepdim)

    def logsumexp(self, dim, keepdim: bool = False):
        """ln Σ eˣ along ``dim``, computed without overflow."""
        return ops.reduce.LogSumExp.apply(self, dim=dim, keepdim=keepdim)

    def cumsum(self, dim: int):
        return ops.reduce.Cumsum.apply(self, dim=dim)

    def sum_to_size(self, *size):
        """Summed down to ``size``, a shape this tensor's shape broadcasts from."""
        return ops.reduce.SumToSize.apply(self, shape=ops.shape.size_args(size))

    def amax(self, dim=None, keepdim: bool = False):
        return ops.reduce.AMax.apply(self, dim=dim, keepdim=keepdim)

    def amin(self, dim=None, keepdim: bool = False):
        return ops.reduce.AMin.apply(self, dim=dim, keepdim=keepdim)

    def max(self, dim: int | None = None, keepdim: bool = False):
        """Largest element; with ``dim``, ``(values, indices)`` along it (PyTorch's contract).

        Ties: without ``dim`` the gradient is shared equally by all maximal elements (by the
        NaNs, if there are any); with ``dim`` it goes to the one element whose index is
        returned (the first).
        """
        if dim is None:
            return ops.reduce.AMax.apply(self, nan_wins=True)
        return self._select(self.argmax(dim, keepdim=True), dim, keepdim)

    def min(self, dim: int | None = None, keepdim: bool = False):
        """Smallest element; ties as in ``max``."""
        if dim is None:
            return ops.reduce.AMin.apply(self, nan_wins=True)
        return self._select(self.argmin(dim, keepdim=True), dim, keepdim)

    def _select(self, index: "Tensor", dim: int, keepdim: bool):
        values = self.gather(dim, index)
        if not keepdim:
            values, index = values.squeeze(dim), index.squeeze(dim)
        return _MaxResult(values, index)

    def argmax(self, dim: int | None = None, keepdim: bool = False):
        return Tensor._wrap(ops.reduce.arg_reduce(self.array, "argmax", dim, keepdim), None)

    def argmin(self, dim: int | None = None, keepdim: bool = False):
        return Tensor._wrap(ops.reduce.arg_reduce(self.array, "argmin", dim, keepdim), None)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape):
        return ops.shape.Reshape.apply(self, shape=ops.shape.size_args(shape))

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        return self.reshape(ops.shape.flattened_shape(self.shape, start_dim, end_dim))

    def squeeze(self, dim=None):
        return self.reshape(ops.shape.squeezed_shape(self.shape, dim))

    def unsqueeze(self, dim: int):
        return self.reshape(ops.shape.unsqueezed_shape(self.shape, dim))

    def permute(self, *dims):
        return ops.shape.Permute.apply(self, dims=ops.shape.size_args(dims))

    def transpose(self, dim0: int, dim1: int):
        dims = list(range(self.ndim))
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return self.permute(dims)

    def t(self):
        """The transpose of a tensor of at most 2 dims."""
        if self.ndim > 2:
            raise ops.shape.ShapeError(f"t() expects a tensor with <= 2 dimensions, got shape "
                                       f"{tuple(self.shape)} (use transpose or mT)")
        return self.T

    def tril(self, diagonal: int = 0):
        """The lower triangle of the last two dims (elements above ``diagonal`` set to 0);
        its gradient passes only where the elements were kept."""
        return self * _triangle(self, diagonal, lower=True)

    def triu(self, diagonal: int = 0):
        """The upper triangle of the last two dims (elements below ``diagonal`` set to 0)."""
        return self * _triangle(self, diagonal, lower=False)

    def narrow(self, dim: int, start: int, length: int):
        """The slice [start, start + length) along ``dim`` (a view's gradient: the rest 0)."""
        (axis,) = ops.reduce.normalize_dims(dim, self.ndim)
        if not (0 <= start % max(self.shape[axis], 1) and length >= 0 and
                start % max(self.shape[axis], 1) + length <= self.shape[axis]):
            raise IndexError(f"narrow: [{start}, {start} + {length}) is out of range for dim "
                             f"{dim} of size {self.shape[axis]}")
        start %= max(self.shape[axis], 1)
        return self[(slice(None),) * axis + (slice(start, start + length),)]

    @property
    def T(self):
        """All dimensions reversed (the matrix transpose for 2-D tensors)."""
        return self.permute(tuple(reversed(range(self.ndim))))

    @property
    def mT(self):
        """The last two dimensions swapped (a batch of transposed matrices)."""
        return self.transpose(-2, -1)

    def expand(self, *sizes):
        return ops.shape.Expand.apply(self, shape=ops.shape.size_args(sizes))

    def view_as(self, other):
        return self.reshape(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def flip(self, *dims):
        return ops.copies.Flip.apply(self, dims=ops.shape.size_args(dims))

    def repeat(self, *sizes):
        """Tiled ``sizes[d]`` times along each dim (extra sizes add leading dims)."""
        return ops.copies.Repeat.apply(self, sizes=ops.shape.size_args(sizes))

    def clone(self):
        """A copy with its own memory, still connected to the graph (gradient flows through)."""
        return ops.copies.Clone.apply(self)

    def contiguous(self):
        """Self when its elements are already in row-major order, else a row-major copy."""
        return self if self.array.flags.c_contiguous else self.clone()

    def type(self, dtype=None):
        """Without an argument, the type's name (``'minigrad.FloatTensor'``); with a dtype (or
        such a name), the tensor converted to it."""
        if dtype is None:
            return f"minigrad.{_TYPE_NAMES.get(self.dtype, str(self.dtype))}"
        if isinstance(dtype, str) and dtype.split(".")[-1] in _TYPE_NAMES.values():
            dtype = next(d for d, n in _TYPE_NAMES.items() if n == dtype.split(".")[-1])
        return self.to(dtype)

    def expand_as(self, other):
        return self.expand(other.shape)

    def gather(self, dim: int, index):
        return ops.shape.Gather.apply(self, dim=dim, index=_raw(index))

    def split(self, split_size_or_sections, dim: int = 0):
        return ops.shape.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0):
        return ops.shape.chunk(self, chunks, dim)

    def __setitem__(self, index, value) -> None:
        """``x[index] = value`` in place; inside the graph (x or value requires grad, grad
        recorded) it is recorded as the op ``SetItem`` (``_recorded_`` says what is refused:
        a leaf that requires grad, a view)."""
        from .autograd import is_grad_enabled
        if is_grad_enabled() and (self.requires_grad or getattr(value, "requires_grad", False)):
            self._recorded_("__setitem__", ops.shape.SetItem, False, value,
                            index=ops.shape.raw_index(index))
            return
        self.array[ops.shape.raw_index(index)] = _raw(value)
        self._bump_version()

    def __getitem__(self, index):
        first, rest = ops.shape.integers_first(ops.shape.raw_index(index))
        source = self if first is None else ops.shape.GetItem.apply(self, index=first)
        return ops.shape.GetItem.apply(source, index=rest)


from . import ops  # noqa: E402  (ops import Tensor; the methods above resolve it at call time)

_INPLACE_OPS = {"add_": (ops.elementwise.Add, False), "sub_": (ops.elementwise.Sub, False),
                "mul_": (ops.elementwise.Mul, True), "div_": (ops.elementwise.Div, True)}
"""The recorded op of each in-place arithmetic method, and whether its backward reads the old
value (``Tensor._recorded_``)."""
