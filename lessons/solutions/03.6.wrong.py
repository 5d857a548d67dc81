# diagnosis: the row's sum left out
def log_softmax_backward(x, grad):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    y = e / e.sum(axis=-1, keepdims=True)
    return grad - y * grad
