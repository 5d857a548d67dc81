# diagnosis: the mean's 1/4 forgotten
def avg_pool_backward(x, grad):
    return np.repeat(np.repeat(grad, 2, axis=2), 2, axis=3)
