def roc_auc(y_true, scores):
    positive, negative = scores[y_true == 1], scores[y_true == 0]
    wins = (positive[:, None] > negative).sum() + 0.5 * (positive[:, None] == negative).sum()
    return wins / (len(positive) * len(negative))
