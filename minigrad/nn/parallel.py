"""``nn.parallel``: PyTorch's single-machine multi-GPU helpers, as documented pass-throughs.

minigrad runs on one device, so ``data_parallel(module, input)`` is ``module(input)`` and
``DataParallel(module)`` forwards to ``module``: code written for several GPUs runs unchanged
on one (or on the CPU).  For several processes: ``DistributedDataParallel`` (``nn.ddp``)."""
from __future__ import annotations

from .ddp import DistributedDataParallel  # noqa: F401  (torch.nn.parallel's name)
from .module import Module


def data_parallel(module, inputs, device_ids=None, output_device=None, dim: int = 0,
                  module_kwargs=None):
    """``module(inputs)`` (``inputs`` a tensor or a tuple of them), on the one device."""
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    return module(*inputs, **(module_kwargs or {}))


class DataParallel(Module):
    """Wraps ``module`` and calls it: one device, no replicas."""

    def __init__(self, module, device_ids=None, output_device=None, dim: int = 0):
        super().__init__()
        self.module = module

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
