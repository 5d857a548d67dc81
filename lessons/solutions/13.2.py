def causal_mask(length):
    return np.where(np.tril(np.ones((length, length))) > 0, 0.0, -np.inf)
