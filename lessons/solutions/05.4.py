def dropout_backward(x, keep, p, grad):
    return grad * keep / (1 - p)
