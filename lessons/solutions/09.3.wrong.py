# diagnosis: dh: h's road through the gates forgotten
def gru_cell_backward(gi, h, weight_hh, grad):   # forgets h's path through gh = h W_hhᵀ
    sigmoid = lambda t: 1 / (1 + np.exp(-t))
    gh = h @ weight_hh.T
    (gi_r, gi_z, gi_n), (gh_r, gh_z, gh_n) = np.split(gi, 3, 1), np.split(gh, 3, 1)
    r, z = sigmoid(gi_r + gh_r), sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + r * gh_n)
    dn = grad * (1 - z) * (1 - n ** 2)
    dz = grad * (h - n) * z * (1 - z)
    dr = dn * gh_n * r * (1 - r)
    return np.concatenate([dr, dz, dn], axis=1), grad * z
