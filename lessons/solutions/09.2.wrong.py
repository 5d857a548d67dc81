# diagnosis: da: dc taken as grad_c alone
def lstm_cell_backward(a, c_prev, grad_h, grad_c):   # forgets that h reaches c through tanh
    sigmoid = lambda t: 1 / (1 + np.exp(-t))
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    tanh_c = np.tanh(f * c_prev + i * g)
    dc = grad_c
    da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                         dc * i * (1 - g ** 2), grad_h * tanh_c * o * (1 - o)], axis=1)
    return da, dc * f
