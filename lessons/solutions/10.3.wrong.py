# diagnosis: 8 is fake_logits.shape[0] — a mean differentiated as a sum
def minimax_loss_backward(fake_logits):
    return -(1 / (1 + np.exp(-fake_logits)))    # the mean's 1/n forgotten
