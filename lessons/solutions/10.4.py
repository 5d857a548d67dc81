def discriminator_loss_backward(real_logits, fake_logits):
    sigmoid = lambda a: 1 / (1 + np.exp(-a))
    return -(1 - sigmoid(real_logits)) / real_logits.size, sigmoid(fake_logits) / fake_logits.size
