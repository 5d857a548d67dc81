def mlp_backward(x, w1, b1, w2, b2, targets):
    # the forward, keeping every intermediate
    z = x @ w1.T + b1                       # (N, 5)
    h = np.maximum(z, 0)
    logits = h @ w2.T + b2                  # (N, 3)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = e / e.sum(axis=1, keepdims=True)
    # the backward, one line of the forward at a time
    dlogits = probabilities.copy()
    dlogits[np.arange(len(targets)), targets] -= 1
    dlogits /= len(targets)                 # the mean over the batch
    dw2, db2 = dlogits.T @ h, dlogits.sum(axis=0)
    dh = dlogits @ w2
    dz = dh * (z > 0)                       # the ReLU passes the gradient where it passed z
    dw1, db1 = dz.T @ x, dz.sum(axis=0)
    return dlogits, dw2, db2, dh, dz, dw1, db1
