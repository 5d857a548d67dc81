# diagnosis: it differs from the right answer
def tanh_backward(x, grad):
    return grad * (1 - np.tanh(x))
