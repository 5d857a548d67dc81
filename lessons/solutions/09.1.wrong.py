# diagnosis: a repeated index overwritten instead of added
def embedding_backward(index, grad, vocabulary):
    table = np.zeros((vocabulary, grad.shape[-1]))
    table[index.reshape(-1)] = grad.reshape(-1, grad.shape[-1])   # a repeated index keeps one
    return table
