# diagnosis: precision: precision and recall swapped
def precision_recall_f1(y_true, y_pred):   # precision and recall swapped
    tp = np.sum((y_pred == 1) & (y_true == 1))
    precision, recall = tp / max(np.sum(y_true == 1), 1), tp / max(np.sum(y_pred == 1), 1)
    return precision, recall, 2 * precision * recall / (precision + recall)
