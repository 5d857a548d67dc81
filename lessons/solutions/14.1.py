def hvp_by_differences(grad, x, v):
    eps = 1e-4   # central differences: error O(eps²); much smaller and rounding takes over
    return (grad(x + eps * v) - grad(x - eps * v)) / (2 * eps)
