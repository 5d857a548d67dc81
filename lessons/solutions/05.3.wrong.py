# diagnosis: every value is 0.7 times
def dropout(x, keep, p):
    return x * keep    # not rescaled: the expected value shrinks by 1 − p
