# diagnosis: the bias added after the activation
def neuron(x, w, b):
    return 1 / (1 + np.exp(-(x @ w))) + b    # the bias outside the activation
