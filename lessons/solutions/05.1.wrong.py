# diagnosis: μ and σ treated as constants
def layer_norm_backward(x, grad):   # treats the mean and the variance as constants
    return grad / np.sqrt(x.var(axis=-1, keepdims=True) + 1e-5)
