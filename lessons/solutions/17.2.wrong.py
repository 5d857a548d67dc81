# diagnosis: the cosine without ½(1 + ·)
def learning_rate_schedule(steps, warmup, max_lr, min_lr):
    rates = []
    for s in range(steps):
        if s < warmup:
            rates.append(max_lr * (s + 1) / warmup)
        else:
            progress = (s - warmup) / (steps - warmup)
            rates.append(min_lr + (max_lr - min_lr) * np.cos(np.pi * progress))   # to -max_lr
    return np.array(rates)
