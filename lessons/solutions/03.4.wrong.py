# diagnosis: wrong exactly where |prediction| > 1
def huber_backward(prediction, target):
    return (prediction - target) / prediction.size   # the quadratic part's slope everywhere
