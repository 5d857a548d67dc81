def two_heads_backward(q, k, v, grad):
    def one_head(q, k, v, grad):
        scale = 1 / np.sqrt(q.shape[1])
        scores = q @ k.T * scale
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        dp = grad @ v.T
        ds = p * (dp - (dp * p).sum(axis=1, keepdims=True))
        return ds @ k * scale, ds.T @ q * scale, p.T @ grad
    half = q.shape[1] // 2
    first = one_head(q[:, :half], k[:, :half], v[:, :half], grad[:, :half])
    second = one_head(q[:, half:], k[:, half:], v[:, half:], grad[:, half:])
    return tuple(np.concatenate([a, b], axis=1) for a, b in zip(first, second))
