def momentum_step(param, grad, velocity):
    velocity = 0.9 * velocity + grad
    return param - 0.1 * velocity, velocity
