def mse_backward(prediction, target):
    return 2 * (prediction - target) / prediction.size
