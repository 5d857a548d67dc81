"""Mixed precision, as ``torch.amp``: ``autocast`` and ``GradScaler``.

minigrad computes every op in its inputs' own dtype, so ``autocast`` changes nothing inside its
region: a float32 model computes in float32 (what PyTorch's CPU autocast with float32 does too).
Asked for float16 or bfloat16 it says once that the region still runs in the tensors' dtypes.

``GradScaler`` is the real algorithm.  float16 gradients underflow to zero below 6e-8, so the
loss is multiplied by a large scale S before backward (every gradient is then S times too
large, and representable); before the step the gradients are divided by S, and if any is inf
or NaN the step is skipped and S halved; after ``growth_interval`` clean steps S doubles.
With ``enabled=False`` (nanoGPT's float32 setting) every method is a pass-through.
"""
from __future__ import annotations

import contextlib
import math
import warnings

from . import backend

_LOW_PRECISION = ("float16", "bfloat16", "half")


class autocast(contextlib.ContextDecorator):  # noqa: N801 - PyTorch's name
    """``with autocast(device_type, dtype=None, enabled=True):`` — a region whose ops would run
    in lower precision in PyTorch; here they run in the tensors' own dtype (see the module)."""

    _warned = False

    def __init__(self, device_type: str = "cuda", dtype=None, enabled: bool = True,
                 cache_enabled=None):
        self.device_type, self.dtype, self.enabled = device_type, dtype, enabled

    def __enter__(self):
        name = str(getattr(self.dtype, "name", self.dtype)).split(".")[-1]
        if self.enabled and name in _LOW_PRECISION and not autocast._warned:
            autocast._warned = True
            warnings.warn(f"autocast({self.device_type!r}, dtype={name}): minigrad computes in "
                          f"each tensor's own dtype; this region does not switch to {name}",
                          stacklevel=2)
        return self

    def __exit__(self, *exc_info):
        return False


class GradScaler:
    """Scale the loss, unscale the gradients, skip the steps whose gradients overflowed."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True):
        self._enabled, self._scale = enabled, float(init_scale)
        self.growth_factor, self.backoff_factor = growth_factor, backoff_factor
        self.growth_interval, self._growth_tracker = growth_interval, 0
        self._unscaled, self._found_inf = set(), False

    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        return self._scale if self._enabled else 1.0

    def scale(self, outputs):
        """``outputs`` (a loss, or a list/tuple of them) times the current scale."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        return outputs * self._scale

    def unscale_(self, optimizer) -> None:
        """Divide the gradients of ``optimizer``'s parameters by the scale (once per step),
        noting whether any is inf or NaN."""
        if not self._enabled or id(optimizer) in self._unscaled:
            return
        for parameter in _parameters_of(optimizer):
            if parameter.grad is not None:
                grad = parameter.grad.array
                grad *= 1.0 / self._scale
                finite = backend.array_module_of(grad).isfinite(grad).all()
                self._found_inf |= not bool(backend.to_device(finite, "cpu"))
        self._unscaled.add(id(optimizer))

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step()`` unless a gradient overflowed (then the step is skipped)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        self.unscale_(optimizer)
        return None if self._found_inf else optimizer.step(*args, **kwargs)

    def update(self, new_scale=None) -> None:
        """Halve the scale after an overflow; double it after ``growth_interval`` clean
        steps (or set ``new_scale``)."""
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale)
        elif self._found_inf:
            self._scale, self._growth_tracker = self._scale * self.backoff_factor, 0
        else:
            self._growth_tracker += 1
            if self._growth_tracker == self.growth_interval:
                self._scale, self._growth_tracker = self._scale * self.growth_factor, 0
        if not math.isfinite(self._scale) or self._scale <= 0:
            raise ValueError(f"GradScaler: the scale became {self._scale}")
        self._unscaled, self._found_inf = set(), False

    def state_dict(self) -> dict:
        if not self._enabled:
            return {}
        return {"scale": self._scale, "growth_factor": self.growth_factor,
                "backoff_factor": self.backoff_factor, "growth_interval": self.growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state: dict) -> None:
        if not self._enabled:
            return
        self._scale, self._growth_tracker = float(state["scale"]), int(state["_growth_tracker"])
        self.growth_factor, self.backoff_factor = state["growth_factor"], state["backoff_factor"]
        self.growth_interval = state["growth_interval"]


def _parameters_of(optimizer):
    return [p for group in optimizer.param_groups for p in group["params"]]
