def expression_backward(a, b, c, grad):
    u = a * b + c                  # the inner node
    da = grad * u + grad * a * b   # a's two roads: as the outer factor, and through u = a·b + c
    return da, grad * a * a, grad * a
