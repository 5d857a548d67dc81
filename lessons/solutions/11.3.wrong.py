# diagnosis: a factor 2 missing
def bytes_moved(n, ops):
    return ops * 4 * n, 2 * 4 * n    # counts only the reads
