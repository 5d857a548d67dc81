def lstm_cell_backward(a, c_prev, grad_h, grad_c):
    sigmoid = lambda t: 1 / (1 + np.exp(-t))
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    dc = grad_c + grad_h * o * (1 - tanh_c ** 2)
    da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                         dc * i * (1 - g ** 2), grad_h * tanh_c * o * (1 - o)], axis=1)
    return da, dc * f
