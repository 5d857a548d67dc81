# diagnosis: param: the step divides by the old average
def rmsprop_step(param, grad, square_avg):   # divides by the old average
    new = 0.99 * square_avg + 0.01 * grad ** 2
    return param - 0.01 * grad / (np.sqrt(square_avg) + 1e-8), new
