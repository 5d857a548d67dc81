# diagnosis: every rank weighted equally
def shard_weights(sizes):
    return np.ones(len(sizes))
