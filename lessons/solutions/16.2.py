def shard_weights(sizes):
    return len(sizes) * sizes / sizes.sum()
