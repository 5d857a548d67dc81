# diagnosis: the result: it is
def median_paired_ratio(a, b):
    return np.median(a) / np.median(b)    # the ratio of the medians
