"""Recurrent layers with PyTorch's interface and parameter layout.

Parameters of layer k: ``weight_ih_l{k}`` (G·H, input), ``weight_hh_l{k}`` (G·H, H),
``bias_ih_l{k}``, ``bias_hh_l{k}`` (G·H), with G = 1 for RNN and 4 for LSTM (gate order
i, f, g, o), all initialized U(-1/√H, 1/√H) like PyTorch.  Inputs are (T, B, features), or
(B, T, features) with ``batch_first``; the step formulas are in ``minigrad.ops.recurrent``.
"""
from __future__ import annotations

import math

from .. import functional as F
from ..ops.dropout import draw_keep, scaled_mask
from ..creation import empty, zeros
from ..errors import ShapeError
from ..ops.recurrent import LSTMLayer, RNNLayer
from ..tensor import Tensor
from ..tensor_functions import cat, stack
from . import init
from .module import Module, Parameter


class _Recurrent(Module):
    gates = 1

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False):
        super().__init__()
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, dropout
        self.bidirectional = bidirectional
        self.directions = ("", "_reverse") if bidirectional else ("",)
        rows = self.gates * hidden_size
        for k in range(num_layers):
            width = input_size if k == 0 else hidden_size * len(self.directions)
            for suffix in self.directions:
                setattr(self, f"weight_ih_l{k}{suffix}", Parameter(empty(rows, width)))
                setattr(self, f"weight_hh_l{k}{suffix}", Parameter(empty(rows, hidden_size)))
                setattr(self, f"bias_ih_l{k}{suffix}", Parameter(empty(rows)) if bias else None)
                setattr(self, f"bias_hh_l{k}{suffix}", Parameter(empty(rows)) if bias else None)
        bound = 1 / math.sqrt(hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def layer_parameters(self, k: int, suffix: str = ""):
        """(W_ih, W_hh, b_ih, b_hh) of layer k (``suffix`` "_reverse": its backward
        direction)."""
        return tuple(getattr(self, f"{name}_l{k}{suffix}") for name in
                     ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    def _directions(self, x, k: int, run):
        """Layer k in each direction: ``run(sequence, direction index, suffix)`` -> every
        output (T, B, ·) in time order; the backward direction reads the sequence reversed
        and its outputs are put back in time order.  Returns their concatenation over the
        features (PyTorch's bidirectional layout: forward features first)."""
        outputs = []
        for d, suffix in enumerate(self.directions):
            sequence = x if d == 0 else x.flip(0)
            out = run(sequence, d, suffix)
            outputs.append(out if d == 0 else out.flip(0))
        return outputs[0] if len(outputs) == 1 else cat(outputs, dim=-1)

    def _sequence_first(self, x):
        if x.ndim != 3 or x.shape[2] != self.input_size:
            order = "(B, T, features)" if self.batch_first else "(T, B, features)"
            raise ValueError(f"{type(self).__name__}(input_size={self.input_size}): expected "
                             f"input of shape {order} with {self.input_size} features, got "
                             f"{tuple(x.shape)}")
        x = x.transpose(0, 1) if self.batch_first else x
        if x.shape[0] == 0:
            raise ShapeError(f"{type(self).__name__}: expected a sequence of at least one step; "
                             f"got input of shape {tuple(x.shape)}")
        return x

    def _initial(self, state, like, name: str):
        """The given state (checked: (num_layers · directions, B, H)), or zeros for every
        layer and direction, on the input's device and dtype."""
        shape = (self.num_layers * len(self.directions), like.shape[1], self.hidden_size)
        if state is None:
            return zeros(*shape, dtype=like.dtype, device=like.device)
        check_state(type(self).__name__, name, state, shape,
                    "(num_layers * num_directions, batch, hidden_size)" if self.bidirectional
                    else "(num_layers, batch, hidden_size)")
        return state

    def _layers(self, x, h0, run_layer):
        """A one-state layer stack (RNN, GRU): for each layer and direction, the input part
        of every step in one GEMM, then ``run_layer(projected, h0, W_hh, b_hh)`` -> every
        h_t; returns (output, h_n)."""
        x = self._sequence_first(x)
        h0 = self._initial(h0, x, "h0")
        finals = []
        for k in range(self.num_layers):
            def run(sequence, d, suffix):
                w_ih, w_hh, b_ih, b_hh = self.layer_parameters(k, suffix)
                states = run_layer(F.linear(sequence, w_ih, b_ih),
                                   h0[k * len(self.directions) + d], w_hh, b_hh)
                finals.append(states[-1])
                return states
            x = self._between_layers(self._directions(x, k, run), k)
        return (x.transpose(0, 1) if self.batch_first else x), stack(finals)

    def _between_layers(self, x, k: int):
        """PyTorch's ``dropout``: applied to the outputs of every layer but the last."""
        if k < self.num_layers - 1 and self.dropout:
            return F.dropout(x, self.dropout, self.training)
        return x

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text


class RNN(_Recurrent):
    """Elman RNN (F15): h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh), or relu.
    ``forward(input, h0=None)`` returns (output: every h_t of the last layer, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional)
        self.nonlinearity = nonlinearity

    def forward(self, x, h0=None):
        relu = self.nonlinearity == "relu"
        return self._layers(x, h0, lambda p, h, w, b: RNNLayer.apply(p, h, w, b, relu=relu))


class LSTM(_Recurrent):
    """LSTM (F16).  ``forward(input, (h0, c0)=None)`` returns (output, (h_n, c_n))."""

    gates = 4

    def forward(self, x, state=None):
        x = self._sequence_first(x)
        h0, c0 = state if state is not None else (None, None)
        h0, c0 = self._initial(h0, x, "h0"), self._initial(c0, x, "c0")
        h_finals, c_finals = [], []
        for k in range(self.num_layers):
            def run(sequence, d, suffix):
                w_ih, w_hh, b_ih, b_hh = self.layer_parameters(k, suffix)
                index = k * len(self.directions) + d
                projected = F.linear(sequence, w_ih, b_ih)              # all steps: one GEMM
                states = LSTMLayer.apply(projected, h0[index], c0[index], w_hh, b_hh)
                h_finals.append(states[-2])                             # (T + 1, B, H)
                c_finals.append(states[-1])
                return states[:-1]
            x = self._between_layers(self._directions(x, k, run), k)
        output = x.transpose(0, 1) if self.batch_first else x
        return output, (stack(h_finals), stack(c_finals))


def gru_step(gi, h, weight_hh, bias_hh):
    """One GRU step (PyTorch's gate order r, z, n in the rows of the weights), from the input
    part gi = x_t W_ihᵀ + b_ih (all steps in one GEMM) and h = h_{t-1}:

        gh = h W_hhᵀ + b_hh = [gh_r, gh_z, gh_n]
        r = σ(gi_r + gh_r)              reset gate: how much of h the candidate sees
        z = σ(gi_z + gh_z)              update gate: how much of h is kept
        n = tanh(gi_n + r ⊙ gh_n)       candidate
        h_t = (1 − z) ⊙ n + z ⊙ h

    Written with Tensor ops, so autograd derives the backward through time."""
    gh = F.linear(h, weight_hh, bias_hh)
    gi_r, gi_z, gi_n = gi.chunk(3, -1)
    gh_r, gh_z, gh_n = gh.chunk(3, -1)
    r, z = F.sigmoid(gi_r + gh_r), F.sigmoid(gi_z + gh_z)
    n = F.tanh(gi_n + r * gh_n)
    return (1 - z) * n + z * h


class GRU(_Recurrent):
    """Gated recurrent unit (``gru_step``), PyTorch's interface and parameter layout:
    ``forward(input, h0=None)`` returns (output: every h_t of the last layer, h_n)."""

    gates = 3

    def forward(self, x, h0=None):
        return self._layers(x, h0, gru_layer)


def gru_layer(projected, h, weight_hh, bias_hh):
    """``gru_step`` for every step of a sequence: all h_t, (T, B, H)."""
    states = []
    for step in projected:
        h = gru_step(step, h, weight_hh, bias_hh)
        states.append(h)
    return stack(states)


def sequence_mask(batch: int, features: int, p: float, like):
    """One inverted-dropout mask per sequence: (B, features) of 0 or 1/(1-p), reused at every
    step (Keras' dropout and recurrent_dropout)."""
    return scaled_mask(draw_keep((batch, features), p, like.device), p, like.dtype)


class KerasLSTM(_Recurrent):
    """Keras' ``LSTM(units, dropout, recurrent_dropout)`` on batch-first input (B, T, features):
    in training, one dropout mask per sequence on the inputs and one on the recurrent state
    h_{t-1}, the same at every step (a fresh mask per step would be different noise at each
    time and hurt the memory).  Returns the last h (B, units), or every h with
    ``return_sequences``.  Parameters and initialization are PyTorch's (``weight_ih_l0``...)."""

    gates = 4

    def __init__(self, input_size: int, units: int, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, return_sequences: bool = False):
        super().__init__(input_size, units, 1, True, True)
        self.input_dropout, self.recurrent_dropout = dropout, recurrent_dropout
        self.return_sequences = return_sequences

    def forward(self, x):
        x = self._sequence_first(x)
        batch = x.shape[1]
        h_mask = None
        if self.training and self.input_dropout:
            x = x * Tensor._wrap(sequence_mask(batch, self.input_size, self.input_dropout, x), None)
        if self.training and self.recurrent_dropout:
            h_mask = sequence_mask(batch, self.hidden_size, self.recurrent_dropout, x)
        w_ih, w_hh, b_ih, b_hh = self.layer_parameters(0)
        h0 = zeros(batch, self.hidden_size, dtype=x.dtype, device=x.device)
        states = LSTMLayer.apply(F.linear(x, w_ih, b_ih), h0, h0, w_hh, b_hh, h_mask=h_mask)
        return states[:-1].transpose(0, 1) if self.return_sequences else states[-2]

    def extra_repr(self) -> str:
        return (f"{self.input_size}, units={self.hidden_size}, dropout={self.input_dropout}, "
                f"recurrent_dropout={self.recurrent_dropout}")


class _Cell(_Recurrent):
    """One step of a recurrent layer; parameters without the ``_l0`` suffix, as PyTorch."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True):
        super().__init__(input_size, hidden_size, 1, bias)
        _drop_layer_suffix(self)

    def _state(self, x, state, name: str):
        """A given state, checked to be (batch, hidden_size), or zeros."""
        if state is None:
            return zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
        check_state(type(self).__name__, name, state, (x.shape[0], self.hidden_size),
                    "(batch, hidden_size)")
        return state


class RNNCell(_Cell):
    """One RNN step: ``cell(x_t, h_{t-1}) -> h_t``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh"):
        super().__init__(input_size, hidden_size, bias)
        self.nonlinearity = nonlinearity

    def forward(self, x, h=None):
        h = self._state(x, h, "hx")
        projected = F.linear(x, self.weight_ih, self.bias_ih).unsqueeze(0)
        return RNNLayer.apply(projected, h, self.weight_hh, self.bias_hh,
                              relu=self.nonlinearity == "relu")[0]


class LSTMCell(_Cell):
    """One LSTM step: ``cell(x_t, (h_{t-1}, c_{t-1})) -> (h_t, c_t)``."""

    gates = 4

    def forward(self, x, state=None):
        h, c = (None, None) if state is None else state
        h, c = self._state(x, h, "h_0"), self._state(x, c, "c_0")
        projected = F.linear(x, self.weight_ih, self.bias_ih).unsqueeze(0)
        states = LSTMLayer.apply(projected, h, c, self.weight_hh, self.bias_hh)
        return states[0], states[1]


class GRUCell(_Cell):
    """One GRU step: ``cell(x_t, h_{t-1}) -> h_t``."""

    gates = 3

    def forward(self, x, h=None):
        return gru_step(F.linear(x, self.weight_ih, self.bias_ih), self._state(x, h, "hx"),
                        self.weight_hh, self.bias_hh)


def check_state(layer: str, name: str, state, shape: tuple, meaning: str) -> None:
    """A recurrent state must have exactly the expected shape (broadcasting a wrong batch,
    layer count or hidden size would silently compute something else)."""
    if tuple(state.shape) != shape:
        raise ShapeError(f"{layer}: {name} must have shape {meaning} = {shape}; got "
                         f"{tuple(state.shape)}")


def _drop_layer_suffix(cell: Module) -> None:
    """Cells name their parameters weight_ih, weight_hh, bias_ih, bias_hh (no _l0), as PyTorch."""
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        value = getattr(cell, f"{name}_l0")
        delattr(cell, f"{name}_l0")
        cell.register_parameter(name, value)
