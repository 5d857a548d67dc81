# diagnosis: dq: every value is 1.732 times the right one: √3, and 3 is q.shape[1]
def attention_backward(q, k, v, grad):   # forgets the 1/√d scale in dq and dk
    scale = 1 / np.sqrt(q.shape[1])
    scores = q @ k.T * scale
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    dp = grad @ v.T
    ds = p * (dp - (dp * p).sum(axis=1, keepdims=True))
    return ds @ k, ds.T @ q, p.T @ grad
