# diagnosis: the forward's 1/(1 − p) forgotten in the backward
def dropout_backward(x, keep, p, grad):
    return grad * keep
