def sampling_probabilities(logits, temperature, k):
    z = logits / temperature
    z = np.where(z >= np.sort(z)[-k], z, -np.inf)   # all but the k largest: probability 0
    e = np.exp(z - z.max())
    return e / e.sum()
