"""The errors an op raises for shapes or dtypes it cannot take.

PyTorch raises ``RuntimeError`` for a shape mismatch (matmul, broadcasting, reshape, permute,
cat...); Python code tends to expect ``ValueError``.  ``ShapeError`` is both, so a ported
``except RuntimeError:`` and an idiomatic ``except ValueError:`` catch it alike.  Its message
names the op and the shapes at fault.
"""


class ShapeError(ValueError, RuntimeError):
    """An op was given shapes (or sizes, dims) it cannot work with."""


class DTypeError(TypeError, RuntimeError):
    """An op was given a dtype it cannot work with (PyTorch raises ``RuntimeError``; Python
    code expects ``TypeError``: this is both).  Its message names the op and the dtype."""
