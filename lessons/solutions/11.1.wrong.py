# diagnosis: a factor 2 missing
def matmul_intensity(n):
    return n ** 3 / (3 * n ** 2 * 4)    # counts multiply-adds, not flops
