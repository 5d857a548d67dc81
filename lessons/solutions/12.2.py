def interquartile_range(samples):
    return np.percentile(samples, 75) - np.percentile(samples, 25)
