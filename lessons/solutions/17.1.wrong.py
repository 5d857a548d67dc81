# diagnosis: the probabilities outside the top k zeroed after the softmax
def sampling_probabilities(logits, temperature, k):
    z = logits / temperature
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    return np.where(z >= np.sort(z)[-k], p, 0.0)   # the k kept no longer sum to 1
