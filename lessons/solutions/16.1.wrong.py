# diagnosis: the received chunk replaces the receiver's copy
def ring_step(chunks, step):
    n = len(chunks)
    new = chunks.copy()
    for rank in range(n):
        chunk = (rank - step) % n
        new[(rank + 1) % n, chunk] = chunks[rank, chunk]
    return new
