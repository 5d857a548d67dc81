# diagnosis: the ratio of the two medians
def median_paired_ratio(a, b):
    return np.median(a) / np.median(b)    # the ratio of the medians
