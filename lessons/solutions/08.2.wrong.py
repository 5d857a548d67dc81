# diagnosis: the window's gradient shared by all four positions
def max_pool_backward(x, grad):   # spreads each window's gradient over all four positions
    return np.repeat(np.repeat(grad, 2, axis=2), 2, axis=3) / 4
