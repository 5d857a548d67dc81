"""The Optimizer base class: parameter groups, per-parameter state, zero_grad, state_dict.

A subclass implements ``update(p, grad, state, group)``: the update formula for one parameter,
on raw arrays, changing ``p`` in place.  ``step()`` calls it for every parameter that has a
gradient.
"""
from __future__ import annotations

import copy
import math

from .. import versions
from ..autograd import enable_grad, no_grad
from ..nn.utils import zero_grads
from ..tensor import Tensor


class Optimizer:
    """Holds ``param_groups`` (dicts with "params" and hyper-parameters) and ``state`` (a dict
    per parameter, e.g. Adam's moment estimates)."""

    def __init__(self, params, defaults: dict):
        self.defaults = defaults
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        self.param_groups = []
        for group in groups:
            self.add_param_group(group)
        self.state = {}

    def add_param_group(self, group: dict) -> None:
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise TypeError(f"{type(self).__name__} can only optimize tensors that require "
                                f"grad; got {type(p).__name__}")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids) or seen & set(ids):
            raise ValueError(f"{type(self).__name__}: some parameters appear more than once "
                             f"(twice in a group, or in more than one parameter group): each "
                             f"would be stepped twice")
        full = {**self.defaults, **group, "params": params}
        self.check_hyperparameters(full)
        self.param_groups.append(full)

    def check_hyperparameters(self, group: dict) -> None:
        """Reject negative, NaN or infinite learning rates and the like with a clear error."""
        for name in ("lr", "eps", "weight_decay", "momentum", "alpha", "rho", "lr_decay"):
            values = group.get(name)
            for value in (values if isinstance(values, (tuple, list)) else (values,)):
                if value is not None and not (math.isfinite(value) and value >= 0):
                    raise ValueError(f"{type(self).__name__}: invalid {name} {value} (must be a "
                                     f"finite number >= 0)")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradient of every parameter in every group (``nn.utils.zero_grads``)."""
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    @no_grad()
    def step(self, closure=None):
        """Apply one update to every parameter that has a gradient.  ``closure`` (optional, as
        in PyTorch) is called first, with grad recording on, to recompute the loss and the
        gradients; its loss is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        changed = []
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.setdefault(id(p), {})
                self.update(p.array, p.grad.array, state, group)
                changed.append(p.array)
        versions.note_inplace_change(*changed)  # graphs that saved a parameter can tell
        return loss

    def update(self, p, grad, state: dict, group: dict) -> None:  # pragma: no cover
        raise NotImplementedError

    # ------------------------------------------------------------------ saving and loading
    def _ordered_params(self) -> list:
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self) -> dict:
        """{"state": {index: {name: array or number}}, "param_groups": [hyper-parameters with
        "params" as indices]}, PyTorch's layout (parameters are numbered in group order)."""
        index = {id(p): i for i, p in enumerate(self._ordered_params())}
        state = {index[key]: {k: (v.copy() if hasattr(v, "copy") else v) for k, v in s.items()}
                 for key, s in self.state.items() if key in index}
        groups = [{**{k: v for k, v in g.items() if k != "params"},
                   "params": [index[id(p)] for p in g["params"]]} for g in self.param_groups]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyper-parameters and state saved by ``state_dict`` (same parameter layout);
        on a mismatch, raise and change nothing."""
        groups = state_dict["param_groups"]
        sizes = [len(g["params"]) for g in self.param_groups]
        if [len(g["params"]) for g in groups] != sizes:
            raise ValueError(f"{type(self).__name__}.load_state_dict: the saved state has groups "
                             f"of {[len(g['params']) for g in groups]} parameters, this optimizer "
                             f"{sizes}")
        params = self._ordered_params()
        new_state = {}
        for i, s in state_dict["state"].items():
            if not 0 <= int(i) < len(params):
                raise ValueError(f"{type(self).__name__}.load_state_dict: state for parameter "
                                 f"{i}, but this optimizer has {len(params)}")
            p = params[int(i)]
            new_state[id(p)] = {k: self._restored(k, v, p, int(i)) for k, v in s.items()}
        for group, saved in zip(self.param_groups, groups):
            group.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})
        self.state = new_state

    def _restored(self, key: str, value, param, index: int):
        """A saved state entry checked against its parameter: an array with dims must have the
        parameter's shape (else the error would come only at the next step)."""
        data = value.array if isinstance(value, Tensor) else value
        if getattr(data, "ndim", 0) and not self._flat_state and \
                tuple(data.shape) != tuple(param.shape):
            raise ValueError(f"{type(self).__name__}.load_state_dict: state {key!r} of parameter "
                             f"{index} has shape {tuple(data.shape)}, the parameter "
                             f"{tuple(param.shape)}; nothing was changed")
        return _restore(value, param)

    _flat_state = False  # LBFGS keeps vectors over all parameters at once

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines + [")"])


def _restore(value, param):
    """A saved state entry: arrays of the parameter's shape go to its device and dtype."""
    from ..backend import device_of, to_device
    data = value.array if isinstance(value, Tensor) else value
    if hasattr(data, "shape") and data.shape == param.array.shape:
        return to_device(data, device_of(param.array)).astype(param.array.dtype, copy=True)
    return data.item() if hasattr(data, "item") and getattr(data, "ndim", 1) == 0 else data
