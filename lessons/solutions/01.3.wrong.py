# diagnosis: a's second use forgotten
def expression_backward(a, b, c, grad):
    u = a * b + c
    return grad * u, grad * a * a, grad * a    # only the outer factor's road
