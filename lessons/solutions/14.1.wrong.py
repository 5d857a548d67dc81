# diagnosis: a factor 2 too many
def hvp_by_differences(grad, x, v):
    eps = 1e-4
    return (grad(x + eps * v) - grad(x - eps * v)) / eps    # the two ε apart, divided by one
