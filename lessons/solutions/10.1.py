def discriminator_loss(real_logits, fake_logits):
    return np.mean(np.logaddexp(0, -real_logits)) + np.mean(np.logaddexp(0, fake_logits))
