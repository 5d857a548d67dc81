# diagnosis: the speedup t1/tn
def scaling_efficiency(t1, tn, n):
    return t1 / tn    # the speedup, not per process
