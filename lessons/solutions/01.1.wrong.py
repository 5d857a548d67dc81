# diagnosis: the result: it is
def neuron(x, w, b):
    return 1 / (1 + np.exp(-(x @ w))) + b    # the bias outside the activation
