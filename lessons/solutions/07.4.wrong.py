# diagnosis: dlogits: every value is 6 times the right one: 6 is x.shape[0]
def mlp_backward(x, w1, b1, w2, b2, targets):   # the loss's mean over the batch forgotten
    z = x @ w1.T + b1
    h = np.maximum(z, 0)
    logits = h @ w2.T + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    dlogits = e / e.sum(axis=1, keepdims=True)
    dlogits[np.arange(len(targets)), targets] -= 1
    dh = dlogits @ w2
    dz = dh * (z > 0)
    return dlogits, dlogits.T @ h, dlogits.sum(axis=0), dh, dz, dz.T @ x, dz.sum(axis=0)
