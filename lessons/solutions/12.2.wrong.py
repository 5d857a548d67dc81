# diagnosis: the whole range (max − min)
def interquartile_range(samples):
    return samples.max() - samples.min()    # the range, not the middle half
