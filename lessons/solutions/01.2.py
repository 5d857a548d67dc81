def linear_backward(x, weight, bias, grad):
    return grad @ weight, grad.T @ x, grad.sum(axis=0)
