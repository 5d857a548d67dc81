def huber_backward(prediction, target):
    return np.clip(prediction - target, -1.0, 1.0) / prediction.size
