# diagnosis: whole tiles only
def tiled_matmul(a, b, tile):   # whole tiles only: the edges are left out
    out = np.zeros((a.shape[0], b.shape[1]))
    for i in range(0, a.shape[0] - tile + 1, tile):
        for j in range(0, b.shape[1] - tile + 1, tile):
            for k in range(0, a.shape[1], tile):
                out[i:i + tile, j:j + tile] += a[i:i + tile, k:k + tile] @ b[k:k + tile, j:j + tile]
    return out
