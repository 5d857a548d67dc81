# diagnosis: dw: it is
def regression_gradients(x, y, w, b):
    residual = w * x + b - y
    return np.mean(residual * x), np.mean(residual)
