def tanh_backward(x, grad):
    return grad * (1 - np.tanh(x) ** 2)
