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


def lstm_step(projected, h_prev, c_prev, weight_hh, bias_hh, h_mask=None):
    """F16 with PyTorch's gate order (i, f, g, o) in the rows of the weights:

        a = x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh  = [a_i, a_f, a_g, a_o]
        i = σ(a_i) input gate,  f = σ(a_f) forget gate,  g = tanh(a_g) candidate,
        o = σ(a_o) output gate
        c_t = f ⊙ c_{t-1} + i ⊙ g,    h_t = o ⊙ tanh(c_t)

    The cell itself — everything after the matrix product — is the formula ``lstm_cell``,
    one pass over (B, H) when it runs as a kernel.  ``h_mask`` (Keras' recurrent dropout)
    multiplies h_{t-1} before W_hh.  Returns (h_t, c_t, cache for the backward step)."""
    if h_mask is not None:
        h_prev = h_prev * h_mask
    a = projected + h_prev @ weight_hh.T
    if bias_hh is not None:
        a = a + bias_hh
    fused = kernels.lstm_step(a, c_prev)
    if fused is not None:
        h, c, gates, tanh_c = fused
    else:
        n = h_prev.shape[1]
        cell = kernels.formula_on_arrays("lstm_cell", array_module_of(a))
        h, c, i, f, g, o, tanh_c = cell(a[:, :n], a[:, n:2 * n], a[:, 2 * n:3 * n], a[:, 3 * n:],
                                        c_prev)
        gates = array_module_of(a).concatenate([i, f, g, o], 1)
    return h, c, (h_prev, c_prev, gates, tanh_c)


def lstm_step_backward(dh, dc_next, cache, weight_hh):
    """The gates' derivatives (formula ``lstm_cell_back``), from dh = dL/dh_t and
    dc_next = dL/dc_t (from step t+1):

        dc = dc_next + dh ⊙ o ⊙ (1 − tanh² c_t)
        do = dh ⊙ tanh c_t,  di = dc ⊙ g,  dg = dc ⊙ i,  df = dc ⊙ c_{t-1}
        da = [di ⊙ i(1−i), df ⊙ f(1−f), dg ⊙ (1−g²), do ⊙ o(1−o)]

    Returns (da = dL/d projected, dL/dh_{t-1} = da W_hh, dL/dc_{t-1} = dc ⊙ f).
    (dL/dW_hh = Σ_t da_tᵀ h_{t-1} is formed once for all steps by the layer.)"""
    h_prev, c_prev, gates, tanh_c = cache
    fused = kernels.lstm_step_backward(dh, dc_next, c_prev, gates, tanh_c)
    if fused is not None:
        da, dc_prev = fused
    else:
        n = c_prev.shape[1]
        xp = array_module_of(dh)
        cell_back = kernels.formula_on_arrays("lstm_cell_back", xp)
        *d_gates, dc_prev = cell_back(dh, dc_next, c_prev, gates[:, :n], gates[:, n:2 * n],
                                      gates[:, 2 * n:3 * n], gates[:, 3 * n:], tanh_c)
        da = xp.concatenate(d_gates, 1)
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
    """The LSTM cell (``lstm_step``) run for t = 1..T.  Returns (T + 1, B, H): every h_t,
    then c_T as the last row (the layer module slices h_n = row T-1 and c_n = row T).
    Backward (BPTT): from t = T down to 1, dh_t = G_t + (dL/dh_t from step t+1) and the cell
    gradient dc flows back through the forget gate, dc_{t-1} = dc ⊙ f.  ``h_mask`` (one (B, H)
    mask for the whole sequence) is Keras' recurrent dropout."""

    def forward(ctx, projected, h0, c0, weight_hh, bias_hh, h_mask=None):
        outputs, c, caches = lstm_steps(projected, h0, c0, weight_hh, bias_hh, h_mask)
        ctx.save_for_backward(projected, h0, c0, weight_hh, bias_hh, h_mask)
        ctx.cache_for_backward(caches)
        return array_module_of(projected).stack(outputs + [c])

    def backward(ctx, g):
        (projected, h0, c0, weight_hh, bias_hh, h_mask), (caches,) = ctx.saved, ctx.cached
        if caches is None:  # building a graph: the steps again, differentiably
            caches = lstm_steps(projected, h0, c0, weight_hh, bias_hh, h_mask)[2]
        xp = array_module_of(g)
        steps = len(caches)
        deltas, dh_next, dc_next = [], xp.zeros_like(g[0]), g[steps]
        for t in reversed(range(steps)):
            delta, dh_next, dc_next = lstm_step_backward(g[t] + dh_next, dc_next, caches[t],
                                                         weight_hh)
            deltas.append(delta)
            if h_mask is not None:  # the mask scaled h_{t-1} on its way into the gates
                dh_next = dh_next * h_mask
        d_projected = xp.stack(deltas[::-1])
        h_prev = xp.stack([cache[0] for cache in caches])  # as used (masked, if dropped)
        return d_projected, dh_next, dc_next, _summed_outer(d_projected, h_prev), \
            d_projected.sum(axis=(0, 1))
