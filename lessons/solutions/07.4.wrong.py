# diagnosis: 6 is x.shape[0] — a mean differentiated as a sum
def mlp_backward(x, w1, b1, w2, b2, targets):   # the loss's mean over the batch forgotten
    z = x @ w1.T + b1
    h = np.maximum(z, 0)
    logits = h @ w2.T + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    dlogits = e / e.sum(axis=1, keepdims=True)
    dlogits[np.arange(len(targets)), targets] -= 1
    dh = dlogits @ w2
    dz = dh * (z > 0)
    return dz.T @ x, dz.sum(axis=0), dlogits.T @ h, dlogits.sum(axis=0)
