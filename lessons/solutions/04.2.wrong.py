# diagnosis: param: no bias correction (F13 as printed)
def adam_step(param, grad, m, v, t):    # F13: no bias correction
    m = 0.9 * m + 0.1 * grad
    v = 0.999 * v + 0.001 * grad ** 2
    return param - 1e-3 * m / (np.sqrt(v) + 1e-8), m, v
