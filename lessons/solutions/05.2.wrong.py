# diagnosis: the statistics taken over each row (axis 1, layer norm's)
def batch_norm_backward(x, grad):   # the statistics over the wrong axis (each row)
    std = np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)
    x_hat = (x - x.mean(axis=1, keepdims=True)) / std
    return (grad - grad.mean(axis=1, keepdims=True)
            - x_hat * (grad * x_hat).mean(axis=1, keepdims=True)) / std
