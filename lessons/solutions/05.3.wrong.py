# diagnosis: not rescaled
def dropout(x, keep, p):
    return x * keep    # not rescaled: the expected value shrinks by 1 − p
