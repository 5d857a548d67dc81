# diagnosis: b: b's gradient taken at the new w
def descent_step(x, y, w, b, lr):
    w = w - lr * np.mean(2 * (w * x + b - y) * x)
    return w, b - lr * np.mean(2 * (w * x + b - y))    # b's gradient at the new w
