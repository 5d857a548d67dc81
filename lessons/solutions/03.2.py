def cross_entropy_backward(logits, targets):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = e / e.sum(axis=1, keepdims=True)
    one_hot = np.eye(logits.shape[1])[targets]
    return (probabilities - one_hot) / len(logits)
