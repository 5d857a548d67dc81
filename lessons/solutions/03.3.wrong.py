# diagnosis: a factor 2 missing
def mse_backward(prediction, target):
    return (prediction - target) / prediction.size
