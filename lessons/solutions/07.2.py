def accuracy_from_logits(logits, labels):
    return np.mean(logits.argmax(axis=1) == labels)
