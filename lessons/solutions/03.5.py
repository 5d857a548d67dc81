def log_sigmoid(x):
    return -np.logaddexp(0, -x)
