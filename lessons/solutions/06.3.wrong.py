# diagnosis: the penalty's gradient left out
def ridge_gradient(x, y, w):
    return 2 * x.T @ (x @ w - y) / len(y)
