# diagnosis: param: it differs from the right answer
def momentum_step(param, grad, velocity):
    return param - 0.1 * grad, 0.9 * velocity + grad    # steps with the gradient, not v
