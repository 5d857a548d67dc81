"""Recurrent cells with their gates written out (SPEC F15, F16), and whole recurrent layers
whose backward is backpropagation through time written out as a loop.

The input part of every step, x_t W_ihᵀ + b_ih, does not depend on the previous state, so a
layer computes it for the whole sequence in one matrix product (``projected``, (T, B, G·H));
a step adds only the recurrent part h_{t-1} W_hhᵀ + b_hh.

A layer is one Function: its forward runs the time loop on raw arrays, keeping each step's
cache, and its backward runs the same loop in reverse (BPTT), carrying dL/dh (and dL/dc)
from step t to step t-1 and summing the weight gradients of all steps.
"""
from __future__ import annotations

from ..autograd import Function
from .. import kernels
from ..backend import array_module_of
from .formula import HALF, ONE, formula, on_arrays, tanh

# ----------------------------------------------------------------------------- the LSTM cell's formulas
# One unit of one sample: the formulas the fused kernels compile, and the array code below runs.


@formula(mapped=False)
def lstm_gate(a):
    """An input, forget or output gate of F16: σ(a), written ½ + ½ tanh(a/2) (the same
    function, one tanh).  (The candidate g is tanh(a) itself.)"""
    return HALF + HALF * tanh(HALF * a)


@formula(mapped=False)
def lstm_cell_update(i, f, g, o, c_prev):
    """F16's state update for one unit, from its gates: c = f c_prev + i g, h = o tanh(c).
    Returns (h, c, tanh c): the backward step needs tanh c."""
    c = f * c_prev + i * g
    tanh_c = tanh(c)
    return o * tanh_c, c, tanh_c


@formula(mapped=False)
def lstm_cell_back(dh, dc_next, c_prev, i, f, g, o, tanh_c):
    """The cell's derivatives, from dh = dL/dh_t and dc_next = dL/dc_t (from step t+1):
    dc = dc_next + dh o (1 − tanh² c); returns (da_i, da_f, da_g, da_o, dL/dc_prev = dc f)."""
    dc = dc_next + dh * o * (ONE - tanh_c * tanh_c)
    return (dc * g * i * (ONE - i), dc * c_prev * f * (ONE - f), dc * i * (ONE - g * g),
            dh * tanh_c * o * (ONE - o), dc * f)


# ----------------------------------------------------------------------------- one step, raw


def rnn_step(projected, h_prev, weight_hh, bias_hh, relu: bool):
    """F15: h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh), act = tanh (or relu).  The
    bias is inside the activation — F14 prints it outside, which is a different (wrong) cell."""
    a = projected + h_prev @ weight_hh.T
    if bias_hh is not None:
        a = a + bias_hh
    return a * (a > 0) if relu else array_module_of(a).tanh(a)


def rnn_step_backward(dh, h, weight_hh, relu: bool):
    """δ = dL/dh_t ⊙ act'(a) (tanh' = 1 − h², relu' = 1[h > 0]); returns
    (dL/d projected = δ, dL/dh_{t-1} = δ W_hh).  (dL/dW_hh = Σ_t δ_tᵀ h_{t-1} is formed once
    for all steps by the layer.)"""
    delta = dh * (h > 0) if relu else dh * (1 - h * h)
    return delta, delta @ weight_hh


def lstm_cell(projected, recurrent, bias, c_prev):
    """F16 after the matrix product, with PyTorch's gate order (i, f, g, o) in the rows of
    the weights, on the pre-activations' three parts a = projected + recurrent + bias:

        a = [a_i, a_f, a_g, a_o]
        i = σ(a_i) input gate,  f = σ(a_f) forget gate,  g = tanh(a_g) candidate,
        o = σ(a_o) output gate                                       (formula ``lstm_gate``)
        c_t = f ⊙ c_{t-1} + i ⊙ g,    h_t = o ⊙ tanh(c_t)      (formula ``lstm_cell_update``)

    Returns (h_t, c_t, gates [i, f, g, o] (B, 4H), tanh c_t), the formulas applied to whole
    arrays (or Tensors, while a graph is being built); the fused kernel compiled from the same
    formulas does it in one call (``kernels.lstm_step_kernels``)."""
    xp = array_module_of(recurrent)
    a = projected + recurrent if bias is None else projected + recurrent + bias
    n = c_prev.shape[1]
    gate = on_arrays(lstm_gate, xp)
    i, f, g, o = gate(a[:, :n]), gate(a[:, n:2 * n]), xp.tanh(a[:, 2 * n:3 * n]), \
        gate(a[:, 3 * n:])
    h, c, tanh_c = on_arrays(lstm_cell_update, xp)(i, f, g, o, c_prev)
    return h, c, xp.concatenate([i, f, g, o], 1), tanh_c


def lstm_cell_backward(dh, dc_next, c_prev, gates, tanh_c):
    """The cell's derivatives (formula ``lstm_cell_back``), from dh = dL/dh_t and
    dc_next = dL/dc_t (from step t+1):

        dc = dc_next + dh ⊙ o ⊙ (1 − tanh² c_t)
        do = dh ⊙ tanh c_t,  di = dc ⊙ g,  dg = dc ⊙ i,  df = dc ⊙ c_{t-1}
        da = [di ⊙ i(1−i), df ⊙ f(1−f), dg ⊙ (1−g²), do ⊙ o(1−o)]

    Returns (da = dL/da (B, 4H), dL/dc_{t-1} = dc ⊙ f)."""
    xp, n = array_module_of(dh), c_prev.shape[1]
    *d_gates, dc_prev = on_arrays(lstm_cell_back, xp)(
        dh, dc_next, c_prev, gates[:, :n], gates[:, n:2 * n], gates[:, 2 * n:3 * n],
        gates[:, 3 * n:], tanh_c)
    return xp.concatenate(d_gates, 1), dc_prev


def _into(targets: tuple, values: tuple) -> None:
    """Copy each value into its preallocated target array."""
    for target, value in zip(targets, values):
        target[...] = value


def lstm_step(projected, h_prev, c_prev, weight_hh, bias_hh, h_mask=None):
    """One whole LSTM step (F16): a = x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh, then the cell
    (``lstm_cell``).  ``h_mask`` (Keras' recurrent dropout) multiplies h_{t-1} before W_hh.
    Returns (h_t, c_t, cache for the backward step)."""
    if h_mask is not None:
        h_prev = h_prev * h_mask
    h, c, gates, tanh_c = lstm_cell(projected, h_prev @ weight_hh.T, bias_hh, c_prev)
    return h, c, (h_prev, c_prev, gates, tanh_c)


def lstm_step_backward(dh, dc_next, cache, weight_hh):
    """One step back (``lstm_cell_backward``): (da = dL/d projected, dL/dh_{t-1} = da W_hh,
    dL/dc_{t-1}).  (dL/dW_hh = Σ_t da_tᵀ h_{t-1} is formed once for all steps by the layer.)"""
    h_prev, c_prev, gates, tanh_c = cache
    da, dc_prev = lstm_cell_backward(dh, dc_next, c_prev, gates, tanh_c)
    return da, da @ weight_hh, dc_prev


def lstm_steps(projected, h0, c0, weight_hh, bias_hh, h_mask=None):
    """The LSTM cell run over all T steps: (every h_t, c_T, the steps' caches)."""
    outputs, caches, h, c = [], [], h0, c0
    for step in projected:
        h, c, cache = lstm_step(step, h, c, weight_hh, bias_hh, h_mask)
        outputs.append(h)
        caches.append(cache)
    return outputs, c, caches


# ----------------------------------------------------------------------------- layers over time


def _summed_outer(deltas, inputs):
    """Σ_t δ_tᵀ x_t over all steps and samples as one matrix product: a weight shared by every
    step collects the gradient of every step."""
    return deltas.reshape(-1, deltas.shape[-1]).T @ inputs.reshape(-1, inputs.shape[-1])


class RNNLayer(Function):
    """h_t = act(projected_t + h_{t-1} W_hhᵀ + b_hh) for t = 1..T; returns all h_t, (T, B, H).
    Backward (BPTT): dh_t = G_t + (dL/dh_t from step t+1), walked from t = T down to 1."""

    def forward(ctx, projected, h0, weight_hh, bias_hh, relu=False):
        xp = array_module_of(projected)
        outputs, h = [], h0
        for step in projected:
            h = rnn_step(step, h, weight_hh, bias_hh, relu)
            outputs.append(h)
        hs = xp.stack(outputs)
        ctx.save_for_backward(h0, weight_hh, hs)
        ctx.relu = relu
        return hs

    def backward(ctx, g):
        h0, weight_hh, hs = ctx.saved
        xp = array_module_of(g)
        deltas, dh_next = [], xp.zeros_like(h0)
        for t in reversed(range(len(g))):
            delta, dh_next = rnn_step_backward(g[t] + dh_next, hs[t], weight_hh, ctx.relu)
            deltas.append(delta)
        d_projected = xp.stack(deltas[::-1])
        h_prev = xp.concatenate([h0[None], hs[:-1]])
        return d_projected, dh_next, _summed_outer(d_projected, h_prev), \
            d_projected.sum(axis=(0, 1))


class LSTMLayer(Function):
    """The LSTM cell (``lstm_cell``) run for t = 1..T.  Returns (T + 1, B, H): every h_t,
    then c_T as the last row (the layer module slices h_n = row T-1 and c_n = row T).
    Backward (BPTT): from t = T down to 1, dh_t = G_t + (dL/dh_t from step t+1) and the cell
    gradient dc flows back through the forget gate, dc_{t-1} = dc ⊙ f.  ``h_mask`` (one (B, H)
    mask for the whole sequence) is Keras' recurrent dropout.

    On arrays both loops write every step into arrays made once for the whole sequence (the
    states, the gates, the gradients): a step is one matrix product and one cell call, with
    no stacking afterwards.  The recurrent product h W_hhᵀ takes W_hhᵀ copied once into its
    own rows (read as a transposed view, BLAS runs it about 1.5 times slower)."""

    def forward(ctx, projected, h0, c0, weight_hh, bias_hh, h_mask=None):
        xp = array_module_of(projected)
        steps, (batch, n), dtype = len(projected), h0.shape, projected.dtype
        hs = xp.empty((steps + 2, batch, n), dtype)   # h_0, h_1 … h_T, then c_T
        cs = xp.empty((steps + 1, batch, n), dtype)   # c_0 … c_T
        gates, tanh_cs = xp.empty_like(projected), xp.empty((steps, batch, n), dtype)
        hs[0], cs[0] = h0, c0
        weight_t, recurrent = xp.ascontiguousarray(weight_hh.T), xp.empty_like(projected[0])
        bias = xp.zeros(4 * n, dtype) if bias_hh is None else bias_hh
        fused = kernels.lstm_step_kernels(hs[0], projected, recurrent, bias, hs, gates, tanh_cs,
                                          cs)
        for t in range(steps):
            xp.matmul(hs[t] if h_mask is None else hs[t] * h_mask, weight_t, out=recurrent)
            step = (hs[t + 1], cs[t + 1], gates[t], tanh_cs[t])
            if fused:
                fused[0](projected[t], recurrent, bias, cs[t], *step)
            else:
                _into(step, lstm_cell(projected[t], recurrent, bias_hh, cs[t]))
        hs[-1] = cs[-1]
        states = hs[1:]
        ctx.save_for_backward(projected, h0, c0, weight_hh, bias_hh, h_mask, states)
        ctx.cache_for_backward(hs, cs, gates, tanh_cs)
        return states

    def backward(ctx, g):
        (projected, h0, c0, weight_hh, bias_hh, h_mask, _), cached = ctx.saved, ctx.cached
        if cached[0] is None:  # building a graph: the steps again, differentiably
            return _lstm_backward_as_graph(g, projected, h0, c0, weight_hh, bias_hh, h_mask)
        hs, cs, gates, tanh_cs = cached
        xp = array_module_of(g)
        steps = len(gates)
        d_projected = xp.empty_like(gates)
        dh, dh_next = xp.empty_like(hs[0]), xp.zeros_like(hs[0])
        dc_next = xp.ascontiguousarray(g[steps])
        dc_buffers = (xp.empty_like(dh), xp.empty_like(dh))
        fused = kernels.lstm_step_kernels(dh, d_projected, gates, tanh_cs, cs, dc_next,
                                          *dc_buffers)
        for t in reversed(range(steps)):
            xp.add(g[t], dh_next, out=dh)
            step = (d_projected[t], dc_buffers[t % 2])
            if fused:
                fused[1](dh, dc_next, cs[t], gates[t], tanh_cs[t], *step)
            else:
                _into(step, lstm_cell_backward(dh, dc_next, cs[t], gates[t], tanh_cs[t]))
            xp.matmul(d_projected[t], weight_hh, out=dh_next)
            if h_mask is not None:  # the mask scaled h_{t-1} on its way into the gates
                dh_next *= h_mask
            dc_next = step[1]
        h_prev = hs[:steps] if h_mask is None else hs[:steps] * h_mask  # as used
        return d_projected, dh_next, dc_next, _summed_outer(d_projected, h_prev), \
            d_projected.sum(axis=(0, 1))


def _lstm_backward_as_graph(g, projected, h0, c0, weight_hh, bias_hh, h_mask):
    """LSTMLayer's backward on Tensors (``create_graph=True``): the forward steps again and
    BPTT step by step (``lstm_step``, ``lstm_step_backward``), every operation recorded."""
    caches = lstm_steps(projected, h0, c0, weight_hh, bias_hh, h_mask)[2]
    xp = array_module_of(g)
    steps = len(caches)
    deltas, dh_next, dc_next = [], xp.zeros_like(g[0]), g[steps]
    for t in reversed(range(steps)):
        delta, dh_next, dc_next = lstm_step_backward(g[t] + dh_next, dc_next, caches[t],
                                                     weight_hh)
        deltas.append(delta)
        if h_mask is not None:
            dh_next = dh_next * h_mask
    d_projected = xp.stack(deltas[::-1])
    h_prev = xp.stack([cache[0] for cache in caches])  # as used (masked, if dropped)
    return d_projected, dh_next, dc_next, _summed_outer(d_projected, h_prev), \
        d_projected.sum(axis=(0, 1))
