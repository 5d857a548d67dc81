def descent_step(x, y, w, b, lr):
    residual = w * x + b - y
    return w - lr * np.mean(2 * residual * x), b - lr * np.mean(2 * residual)
