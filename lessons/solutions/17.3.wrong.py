# diagnosis: only the head's gradient
def tied_weight_backward(ids, weight, grad):
    return grad.T @ weight[ids]   # the lookup's use of the same matrix forgotten
