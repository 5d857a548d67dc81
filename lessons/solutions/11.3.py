def bytes_moved(n, ops):
    return ops * 2 * 4 * n, 2 * 4 * n
