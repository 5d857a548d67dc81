def lstm_sequence_backward(a_in, w_hh, h0, c0, grad):
    sigmoid = lambda t: 1 / (1 + np.exp(-t))
    # the forward, keeping each step's gates and states
    h, c, steps = h0, c0, []
    for t in range(len(a_in)):
        a = a_in[t] + h @ w_hh.T
        a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
        i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
        c_new = f * c + i * g
        steps.append((h, c, i, f, g, o, c_new))
        h, c = o * np.tanh(c_new), c_new
    # the backward, last step first, carrying dh and dc back through time
    da_in, dw_hh = np.zeros_like(a_in), np.zeros_like(w_hh)
    dh_next, dc_next = np.zeros_like(h0), np.zeros_like(c0)
    for t in reversed(range(len(a_in))):
        h_prev, c_prev, i, f, g, o, c_t = steps[t]
        tanh_c = np.tanh(c_t)
        dh = grad[t] + dh_next
        dc = dc_next + dh * o * (1 - tanh_c ** 2)
        da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                             dc * i * (1 - g ** 2), dh * tanh_c * o * (1 - o)], axis=1)
        da_in[t] = da
        dw_hh += da.T @ h_prev
        dh_next, dc_next = da @ w_hh, dc * f
    return da_in, dw_hh
