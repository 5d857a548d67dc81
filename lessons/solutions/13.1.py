def attention_backward(q, k, v, grad):
    scale = 1 / np.sqrt(q.shape[1])
    scores = q @ k.T * scale
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    dv = p.T @ grad
    dp = grad @ v.T
    ds = p * (dp - (dp * p).sum(axis=1, keepdims=True))
    return ds @ k * scale, ds.T @ q * scale, dv
