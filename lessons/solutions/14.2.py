def gradient_norm_backward(x):
    s = 1 - np.tanh(x) ** 2             # the gradient the loss is made of
    return s * (-2 * np.tanh(x) * s)    # dL/ds = s, times ds/dx
