def layer_norm_affine_backward(x, gamma, beta, grad):
    x_hat = (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(x.var(axis=-1, keepdims=True) + 1e-5)
    return (grad * x_hat).sum(axis=0), grad.sum(axis=0)
