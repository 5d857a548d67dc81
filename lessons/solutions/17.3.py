def tied_weight_backward(ids, weight, grad):
    h = weight[ids]
    dweight = grad.T @ h                     # the head: logits = h Wᵀ
    np.add.at(dweight, ids, grad @ weight)   # the lookup: h = W[ids], repeated ids added
    return dweight
