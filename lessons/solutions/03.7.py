def bce_with_logits_backward(x, t):
    return (1 / (1 + np.exp(-x)) - t) / x.size
