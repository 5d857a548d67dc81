def precision_recall_f1(y_true, y_pred):
    tp = np.sum((y_pred == 1) & (y_true == 1))
    precision = tp / max(np.sum(y_pred == 1), 1)
    recall = tp / max(np.sum(y_true == 1), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
