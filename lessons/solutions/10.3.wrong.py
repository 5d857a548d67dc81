# diagnosis: every value is 8 times the right one
def minimax_loss_backward(fake_logits):
    return -(1 / (1 + np.exp(-fake_logits)))    # the mean's 1/n forgotten
