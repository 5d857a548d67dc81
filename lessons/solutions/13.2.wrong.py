# diagnosis: the past blocked instead of the future
def causal_mask(length):   # blocks the past instead of the future
    return np.where(np.triu(np.ones((length, length))) > 0, 0.0, -np.inf)
