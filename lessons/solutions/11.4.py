def bias_relu_backward(x, b, grad):
    passed = grad * (x + b > 0)
    return passed, passed.sum(axis=0)
