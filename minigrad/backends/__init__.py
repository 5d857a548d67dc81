"""``minigrad.backends``: where PyTorch scripts set library flags.  ``backends.cudnn`` holds
PyTorch's cuDNN switches (``benchmark``, ``deterministic``, ``enabled``) so that such scripts
run; minigrad does not use cuDNN (its GPU path is CuPy and its own kernels), so they change
nothing."""
from . import cudnn

__all__ = ["cudnn"]
