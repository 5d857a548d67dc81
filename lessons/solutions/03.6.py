def log_softmax_backward(x, grad):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    y = e / e.sum(axis=-1, keepdims=True)
    return grad - y * grad.sum(axis=-1, keepdims=True)
