# diagnosis: γ's gradient taken with x where the normalized x̂ belongs
def layer_norm_affine_backward(x, gamma, beta, grad):
    return (grad * x).sum(axis=0), grad.sum(axis=0)
