def ring_step(chunks, step):
    n = len(chunks)
    new = chunks.copy()
    for rank in range(n):
        chunk = (rank - step) % n                  # what rank sends this step
        new[(rank + 1) % n, chunk] += chunks[rank, chunk]
    return new
