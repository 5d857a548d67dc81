# diagnosis: the sign is flipped
def sigmoid_backward(x, grad):
    s = 1 / (1 + np.exp(-x))
    return grad * s * (s - 1)
