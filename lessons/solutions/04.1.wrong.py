# diagnosis: param: the parameter steps along the raw gradient
def momentum_step(param, grad, velocity):
    return param - 0.1 * grad, 0.9 * velocity + grad    # steps with the gradient, not v
