# diagnosis: one softmax over all the columns (a single head of width 6)
def two_heads_backward(q, k, v, grad):   # the heads never split
    scale = 1 / np.sqrt(q.shape[1])
    scores = q @ k.T * scale
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    dp = grad @ v.T
    ds = p * (dp - (dp * p).sum(axis=1, keepdims=True))
    return ds @ k * scale, ds.T @ q * scale, p.T @ grad
