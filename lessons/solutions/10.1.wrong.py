# diagnosis: an overflow
def discriminator_loss(real_logits, fake_logits):   # σ first, then log: log(0) for big logits
    with np.errstate(all="ignore"):
        d_real, d_fake = 1 / (1 + np.exp(-real_logits)), 1 / (1 + np.exp(-fake_logits))
        return -np.mean(np.log(d_real)) - np.mean(np.log(1 - d_fake))
