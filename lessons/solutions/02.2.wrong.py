# diagnosis: 1 − tanh(x) where 1 − tanh(x)² belongs
def tanh_backward(x, grad):
    return grad * (1 - np.tanh(x))
