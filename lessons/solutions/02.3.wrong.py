# diagnosis: sum it over the broadcast axes (0,)
def add_backward(x, b, grad):
    return grad, grad
