# diagnosis: the sign is flipped
def generator_loss_backward(fake_logits):
    return (1 - 1 / (1 + np.exp(-fake_logits))) / fake_logits.size
