# diagnosis: it is transposed
def linear_backward(x, weight, bias, grad):
    return grad @ weight, x.T @ grad, grad.sum(axis=0)
