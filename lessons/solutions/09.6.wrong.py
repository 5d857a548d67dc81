# diagnosis: tanh's derivative left out
def rnn_step_backward(x, h, weight_ih, weight_hh, bias, grad):
    da = grad
    return da @ weight_ih, da @ weight_hh, da.T @ x, da.T @ h, da.sum(axis=0)
