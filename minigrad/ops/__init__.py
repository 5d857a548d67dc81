"""The differentiable operations, one module per kind.  Each op is a ``Function`` whose
``forward`` and ``backward`` are the formula written out (see each class's docstring)."""
from . import (activations, attention, conv, copies, dropout, elementwise, embedding, losses,
               matmul, normalization, recurrent, reduce, shape, sorting)

__all__ = ["activations", "attention", "conv", "copies", "dropout", "elementwise", "embedding",
           "losses", "matmul", "normalization", "recurrent", "reduce", "shape", "sorting"]
