# diagnosis: ties counted as losses
def roc_auc(y_true, scores):   # ties counted as losses
    positive, negative = scores[y_true == 1], scores[y_true == 0]
    return (positive[:, None] > negative).sum() / (len(positive) * len(negative))
