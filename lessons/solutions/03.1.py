def softmax_backward(x, grad):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    y = e / e.sum(axis=-1, keepdims=True)
    return y * (grad - (grad * y).sum(axis=-1, keepdims=True))
