# diagnosis: 4 is logits.shape[0] — a mean differentiated as a sum
def cross_entropy_backward(logits, targets):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = e / e.sum(axis=1, keepdims=True)
    return probabilities - np.eye(logits.shape[1])[targets]
