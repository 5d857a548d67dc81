# diagnosis: an overflow or a 0/0
def log_sigmoid(x):
    with np.errstate(all="ignore"):
        return np.log(1 / (1 + np.exp(-x)))    # the printed form: exp(800) overflows
