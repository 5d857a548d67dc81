def embedding_backward(index, grad, vocabulary):
    table = np.zeros((vocabulary, grad.shape[-1]))
    np.add.at(table, index.reshape(-1), grad.reshape(-1, grad.shape[-1]))
    return table
