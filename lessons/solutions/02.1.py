def sigmoid_backward(x, grad):
    s = 1 / (1 + np.exp(-x))
    return grad * s * (1 - s)
