# diagnosis: dL/ds returned for dL/dx
def gradient_norm_backward(x):
    return 1 - np.tanh(x) ** 2          # stops at dL/ds = s
