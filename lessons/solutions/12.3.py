def scaling_efficiency(t1, tn, n):
    return t1 / (n * tn)
