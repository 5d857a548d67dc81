def median_paired_ratio(a, b):
    return np.median(a / b)
