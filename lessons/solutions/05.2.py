def batch_norm_backward(x, grad):
    std = np.sqrt(x.var(axis=0) + 1e-5)
    x_hat = (x - x.mean(axis=0)) / std
    return (grad - grad.mean(axis=0) - x_hat * (grad * x_hat).mean(axis=0)) / std
