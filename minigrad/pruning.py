"""Global magnitude pruning, with fine-tuning that keeps the pruned weights at zero.

``prune(model, amount)`` zeroes the fraction ``amount`` of the weights of all Linear and
Conv2d layers *together* that have the smallest magnitudes (global: one threshold for the
whole model, so a layer with many small weights loses more of them than a layer with few).
Biases and normalization parameters are kept.  It returns a ``Pruning``: the masks, and
``keep_pruned(optimizer)``, an optimizer that re-applies them after every step, so
fine-tuning recovers accuracy without reviving pruned weights.

A pruned model is as large and as fast as the dense one in a dense format (ONNX stores every
zero); its zeros make it compress well, and sparse kernels (not used here) could skip them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .nn import Conv2d, Linear, Module

PRUNABLE = (Linear, Conv2d)


@dataclass
class Pruning:
    """Which weights were pruned: ``masks[name]`` is True where the weight is kept."""

    parameters: dict
    masks: dict

    def apply(self) -> None:
        """Zero the pruned weights again (after an optimizer step moved them)."""
        for name, mask in self.masks.items():
            self.parameters[name].array[...] *= mask

    @property
    def sparsity(self) -> float:
        """The fraction of the prunable weights that are zero."""
        total = sum(mask.size for mask in self.masks.values())
        return 1 - sum(int(mask.sum()) for mask in self.masks.values()) / total

    def keep_pruned(self, optimizer) -> "KeepPruned":
        return KeepPruned(optimizer, self)


class KeepPruned:
    """An optimizer that steps like ``optimizer`` and then re-applies the pruning masks
    (everything else is the wrapped optimizer's: zero_grad, param_groups, state_dict)."""

    def __init__(self, optimizer, pruning: Pruning):
        self.optimizer, self.pruning = optimizer, pruning

    def step(self, *args, **kwargs):
        result = self.optimizer.step(*args, **kwargs)
        self.pruning.apply()
        return result

    def __getattr__(self, name):
        return getattr(self.optimizer, name)


def prunable_weights(model: Module) -> dict:
    """{state_dict name: weight} of every Linear and Conv2d in ``model``."""
    return {f"{prefix}.weight" if prefix else "weight": module.weight
            for prefix, module in model.named_modules() if isinstance(module, PRUNABLE)}


def prune(model: Module, amount: float) -> Pruning:
    """Zero the ``amount`` (0 <= amount < 1) smallest-magnitude weights over all Linear and
    Conv2d layers at once, in place; returns the masks (``Pruning``)."""
    if not 0 <= amount < 1:
        raise ValueError(f"prune: amount must be in [0, 1), got {amount}")
    weights = prunable_weights(model)
    if not weights:
        raise ValueError(f"prune: {type(model).__name__} has no Linear or Conv2d layer")
    magnitudes = np.concatenate([np.abs(w.array).reshape(-1) for w in weights.values()])
    count = int(round(amount * magnitudes.size))
    pruned = np.zeros(magnitudes.size, bool)
    pruned[np.argsort(magnitudes, kind="stable")[:count]] = True  # exactly `count` weights
    masks, start = {}, 0
    for name, weight in weights.items():
        size = weight.array.size
        masks[name] = ~pruned[start:start + size].reshape(weight.shape)
        start += size
    pruning = Pruning(weights, masks)
    pruning.apply()
    return pruning
