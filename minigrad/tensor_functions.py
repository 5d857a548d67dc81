"""The free functions of the ``minigrad`` namespace (``minigrad.cat``, ``minigrad.exp``...),
named as in ``torch``.  Each is a one-line call of an op in ``minigrad.ops``."""
from __future__ import annotations

from .ops import elementwise, matmul as _matmul, shape
from .tensor import Tensor


def _tensor(value) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)


def exp(x): return _tensor(x).exp()
def log(x): return _tensor(x).log()
def sqrt(x): return _tensor(x).sqrt()
def abs(x): return _tensor(x).abs()  # noqa: A001 - torch's name
def sum(x, dim=None, keepdim=False): return _tensor(x).sum(dim, keepdim)  # noqa: A001
def mean(x, dim=None, keepdim=False): return _tensor(x).mean(dim, keepdim)
def max(x, dim=None, keepdim=False): return _tensor(x).max(dim, keepdim)  # noqa: A001
def min(x, dim=None, keepdim=False): return _tensor(x).min(dim, keepdim)  # noqa: A001
def argmax(x, dim=None, keepdim=False): return _tensor(x).argmax(dim, keepdim)
def argmin(x, dim=None, keepdim=False): return _tensor(x).argmin(dim, keepdim)
def reshape(x, *shape): return _tensor(x).reshape(*shape)
def flatten(x, start_dim=0, end_dim=-1): return _tensor(x).flatten(start_dim, end_dim)
def transpose(x, dim0, dim1): return _tensor(x).transpose(dim0, dim1)
def permute(x, dims): return _tensor(x).permute(dims)
def squeeze(x, dim=None): return _tensor(x).squeeze(dim)
def unsqueeze(x, dim): return _tensor(x).unsqueeze(dim)
def split(x, split_size_or_sections, dim=0): return _tensor(x).split(split_size_or_sections, dim)
def chunk(x, chunks, dim=0): return _tensor(x).chunk(chunks, dim)
def gather(x, dim, index): return _tensor(x).gather(dim, index)
def clamp(x, min=None, max=None): return _tensor(x).clamp(min, max)  # noqa: A002
def add(x, other, *, alpha=1): return _tensor(x).add(other, alpha=alpha)
def sub(x, other, *, alpha=1): return _tensor(x).sub(other, alpha=alpha)
def mul(x, other): return _tensor(x).mul(other)
def div(x, other, *, rounding_mode=None): return _tensor(x).div(other, rounding_mode=rounding_mode)
def neg(x): return -_tensor(x)
def pow(x, exponent): return _tensor(x) ** exponent  # noqa: A001 - torch's name
def log2(x): return _tensor(x).log2()
def log10(x): return _tensor(x).log10()
def remainder(x, other): return _tensor(x) % other
def floor_divide(x, other): return _tensor(x).div(other, rounding_mode="floor")
def all(x, dim=None, keepdim=False): return _tensor(x).all(dim, keepdim)  # noqa: A001
def any(x, dim=None, keepdim=False): return _tensor(x).any(dim, keepdim)  # noqa: A001
def isclose(x, other, rtol=1e-5, atol=1e-8, equal_nan=False):
    return _tensor(x).isclose(other, rtol, atol, equal_nan)
def allclose(x, other, rtol=1e-5, atol=1e-8, equal_nan=False):
    return _tensor(x).allclose(other, rtol, atol, equal_nan)
def sort(x, dim=-1, descending=False, stable=False): return _tensor(x).sort(dim, descending)
def argsort(x, dim=-1, descending=False, stable=False): return _tensor(x).argsort(dim, descending)
def topk(x, k, dim=-1, largest=True, sorted=True): return _tensor(x).topk(k, dim, largest)  # noqa: A002
def unique(x, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    return _tensor(x).unique(sorted, return_inverse, return_counts, dim)
def roll(x, shifts, dims=None): return _tensor(x).roll(shifts, dims)
def sin(x): return _tensor(x).sin()
def cos(x): return _tensor(x).cos()
def floor(x): return _tensor(x).floor()
def erf(x): return _tensor(x).erf()
def prod(x, dim=None, keepdim=False): return _tensor(x).prod(dim, keepdim)
def logsumexp(x, dim, keepdim=False): return _tensor(x).logsumexp(dim, keepdim)
def cumsum(x, dim): return _tensor(x).cumsum(dim)
def flip(x, dims): return _tensor(x).flip(dims)
def clone(x): return _tensor(x).clone()
def masked_fill(x, mask, value): return _tensor(x).masked_fill(mask, value)
def sigmoid(x): return _tensor(x).sigmoid()
def tanh(x): return _tensor(x).tanh()
def relu(x): return _tensor(x).relu()
def softmax(x, dim): return _tensor(x).softmax(dim)
def log_softmax(x, dim): return _tensor(x).log_softmax(dim)
def log1p(x): return _tensor(x).log1p()
def mm(a, b): return _tensor(a).mm(b)
def tril(x, diagonal=0): return _tensor(x).tril(diagonal)
def triu(x, diagonal=0): return _tensor(x).triu(diagonal)
def narrow(x, dim, start, length): return _tensor(x).narrow(dim, start, length)
def t(x): return _tensor(x).t()
def norm(x, p=2, dim=None, keepdim=False): return _tensor(x).norm(p, dim, keepdim)
def numel(x): return _tensor(x).numel()
def is_tensor(x): return isinstance(x, Tensor)
def LongTensor(data): return Tensor(data, dtype="int64")  # noqa: N802 - torch's names
def FloatTensor(data): return Tensor(data, dtype="float32")  # noqa: N802
def DoubleTensor(data): return Tensor(data, dtype="float64")  # noqa: N802
def BoolTensor(data): return Tensor(data, dtype="bool")  # noqa: N802


def maximum(x, y) -> Tensor:
    """Elementwise larger of x and y (ties split the gradient)."""
    return elementwise.Maximum.apply(x, y)


def minimum(x, y) -> Tensor:
    """Elementwise smaller of x and y (ties split the gradient)."""
    return elementwise.Minimum.apply(x, y)


def where(condition, x, y) -> Tensor:
    """x where ``condition`` holds, else y (elementwise, broadcasting)."""
    return elementwise.Where.apply(condition, x, y)


def matmul(a, b) -> Tensor:
    """Matrix product with NumPy's broadcasting rules."""
    return _matmul.MatMul.apply(a, b)


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    return shape.Cat.apply(*tensors, dim=dim)


concat = cat


def stack(tensors, dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension."""
    return shape.Stack.apply(*tensors, dim=dim)
