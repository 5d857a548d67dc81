"""minigrad: a deep learning engine written from scratch so that every formula runs.

    import minigrad
    import minigrad.functional as F

    x = minigrad.randn(4, 3)
    w = minigrad.randn(3, 2, requires_grad=True)
    loss = F.relu(x @ w).sum()
    loss.backward()          # w.grad now holds dloss/dw
"""
import numpy as _np

from .tensor import Tensor
from .autograd import (Function, enable_grad, inference_mode, is_grad_enabled, no_grad,
                       set_grad_enabled)
from . import backend as _backend, differentiable
from .backend import manual_seed
from .random import Generator, default_generator, initial_seed, seed
from .creation import (arange, empty, eye, from_numpy, full, full_like, linspace, multinomial,
                       ones, ones_like, rand, rand_like, randint, randn, randn_like, randperm,
                       tensor, zeros, zeros_like)
from .tensor_functions import (BoolTensor, DoubleTensor, FloatTensor, LongTensor, abs, add,
                               all, allclose, any, argmax, argmin, argsort, cat, chunk, clamp,
                               clone, concat, cos, cumsum, div, erf, exp, flatten, flip, floor,
                               floor_divide, gather, is_tensor, isclose, log, log10, log1p, log2,
                               log_softmax, logsumexp, masked_fill, matmul, max, maximum, mean,
                               min, minimum, mm, mul, narrow, neg, norm, numel, permute, pow,
                               prod, relu, remainder, reshape, roll, sigmoid, sin, softmax, sort,
                               split, sqrt, squeeze, stack, sub, sum, t, tanh, topk, transpose,
                               tril, triu, unique, unsqueeze, where)
_backend.register_graph_namespace(Tensor, differentiable)  # a backward that builds a graph
#                                                         computes with differentiable's names
from .gradcheck import GradcheckError, gradcheck, numerical_grad
from . import accelerator, cuda, functional, host_memory, kernels, nn, optim, utils, vision
from .compat import backends
from .device import device
from .kernels import kernels_mode, set_kernels
from .serialization import load, save
from .compat import compile, get_float32_matmul_precision, set_float32_matmul_precision
from . import amp
from . import public_names as _public_names

_public_names.install()  # minigrad.train, minigrad.exercises...: the modules of tools/, compat/


def __getattr__(name: str):
    """Names loaded when first used: ``minigrad.onnx`` (it imports onnx), reachable after
    ``import minigrad`` as ``torch.onnx`` is, and ``minigrad.bfloat16`` (the ``ml_dtypes``
    package's, whose import takes longer than minigrad's own: ``backend.bfloat16``)."""
    if name == "onnx":
        import importlib
        return importlib.import_module(".onnx", __name__)
    if name == "bfloat16":
        from .backend import bfloat16
        return bfloat16()
    raise AttributeError(f"module 'minigrad' has no attribute '{name}'")

float16 = _np.dtype(_np.float16)
float32 = _np.dtype(_np.float32)
float64 = _np.dtype(_np.float64)
int32 = _np.dtype(_np.int32)
int64 = _np.dtype(_np.int64)
bool_ = _np.dtype(_np.bool_)
float, double, long = float32, float64, int64  # noqa: A001 - torch's aliases

__version__ = "0.1.0"
