# diagnosis: it differs from the right answer
def max_pool_backward(x, grad):   # spreads each window's gradient over all four positions
    return np.repeat(np.repeat(grad, 2, axis=2), 2, axis=3) / 4
