def layer_norm_backward(x, grad):
    mean = x.mean(axis=-1, keepdims=True)
    std = np.sqrt(x.var(axis=-1, keepdims=True) + 1e-5)
    x_hat = (x - mean) / std
    return (grad - grad.mean(axis=-1, keepdims=True)
            - x_hat * (grad * x_hat).mean(axis=-1, keepdims=True)) / std
