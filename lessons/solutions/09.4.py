def rnn_step(x, h, weight_ih, weight_hh, bias):
    return np.tanh(x @ weight_ih.T + h @ weight_hh.T + bias)
