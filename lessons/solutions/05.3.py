def dropout(x, keep, p):
    return x * keep / (1 - p)
