"""``minigrad.backends``: where PyTorch scripts set library flags.  ``backends.cudnn`` holds
PyTorch's cuDNN switches (``benchmark``, ``deterministic``, ``enabled``, ``allow_tf32``) and
``backends.cuda`` its ``matmul.allow_tf32``, so that such scripts run; minigrad uses neither
cuDNN nor TF32 (its GPU path is CuPy and its own kernels), so they change nothing."""
from . import cuda, cudnn

__all__ = ["cuda", "cudnn"]
