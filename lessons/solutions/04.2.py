def adam_step(param, grad, m, v, t):
    m = 0.9 * m + 0.1 * grad
    v = 0.999 * v + 0.001 * grad ** 2
    m_hat, v_hat = m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)
    return param - 1e-3 * m_hat / (np.sqrt(v_hat) + 1e-8), m, v
