# diagnosis: the chain rule stopped at x²
def rosenbrock_gradient(p):
    x, y = p
    return np.array([-2 * (1 - x) - 200 * (y - x ** 2), 200 * (y - x ** 2)])
