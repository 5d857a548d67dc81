def learning_rate_schedule(steps, warmup, max_lr, min_lr):
    rates = []
    for s in range(steps):
        if s < warmup:
            rates.append(max_lr * (s + 1) / warmup)
        else:
            progress = (s - warmup) / (steps - warmup)
            rates.append(min_lr + 0.5 * (max_lr - min_lr) * (1 + np.cos(np.pi * progress)))
    return np.array(rates)
