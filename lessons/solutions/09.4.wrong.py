# diagnosis: the bias added after the tanh (F14 as printed)
def rnn_step(x, h, weight_ih, weight_hh, bias):   # F14: the bias outside the activation
    return np.tanh(x @ weight_ih.T + h @ weight_hh.T) + bias
