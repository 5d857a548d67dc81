def neuron(x, w, b):
    return 1 / (1 + np.exp(-(x @ w + b)))
