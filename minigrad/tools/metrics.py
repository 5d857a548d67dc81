"""Classification metrics on label arrays (or Tensors), equal to scikit-learn's.

For a class c: precision = TP / (TP + FP) (of the samples predicted c, the share that are c),
recall = TP / (TP + FN) (of the samples that are c, the share found), F1 = their harmonic mean.
'binary' reports them for the positive class 1; 'macro' averages them over all classes.
A ratio with a zero denominator counts as 0 (scikit-learn's zero_division default).
"""
from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from ..tensor import Tensor


def _labels(values) -> np.ndarray:
    array = values.array if isinstance(values, Tensor) else np.asarray(values)
    return array.reshape(-1) if array.ndim <= 1 else array


def _pair(y_true, y_pred):
    y_true, y_pred = _labels(y_true), _labels(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"metrics: y_true has shape {y_true.shape} but y_pred {y_pred.shape}")
    return y_true, y_pred


def accuracy(y_true, y_pred) -> float:
    """Share of samples whose prediction equals the label."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float((y_true == y_pred).mean())


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """C[i, j] = number of samples of class i predicted as class j."""
    y_true, y_pred = _pair(y_true, y_pred)
    n = num_classes or int(max(y_true.max(initial=0), y_pred.max(initial=0))) + 1
    matrix = np.zeros((n, n), dtype=np.int64)
    np.add.at(matrix, (y_true.astype(np.int64), y_pred.astype(np.int64)), 1)
    return matrix


def _ratio(numerator, denominator):
    return np.divide(numerator, denominator, out=np.zeros(len(numerator)),
                     where=denominator > 0)


def _per_class(y_true, y_pred):
    """(precision, recall, f1) arrays over the classes present in either input."""
    classes = np.union1d(y_true, y_pred)
    tp = np.array([np.sum((y_pred == c) & (y_true == c)) for c in classes], dtype=float)
    predicted = np.array([np.sum(y_pred == c) for c in classes], dtype=float)
    actual = np.array([np.sum(y_true == c) for c in classes], dtype=float)
    precision, recall = _ratio(tp, predicted), _ratio(tp, actual)
    f1 = _ratio(2 * precision * recall, precision + recall)
    return classes, precision, recall, f1


def _report(which: int, y_true, y_pred, average: str) -> float:
    y_true, y_pred = _pair(y_true, y_pred)
    classes, *scores = _per_class(y_true, y_pred)
    if average == "macro":
        return float(scores[which].mean())
    if average == "binary":
        if not set(classes.tolist()) <= {0, 1}:
            raise ValueError(f"average='binary' needs labels 0/1, got classes {classes.tolist()}; "
                             f"use average='macro'")
        positive = np.flatnonzero(classes == 1)
        return float(scores[which][positive[0]]) if positive.size else 0.0
    raise ValueError(f"average must be 'binary' or 'macro', got {average!r}")


def precision(y_true, y_pred, average: str = "binary") -> float:
    return _report(0, y_true, y_pred, average)


def recall(y_true, y_pred, average: str = "binary") -> float:
    return _report(1, y_true, y_pred, average)


def f1_score(y_true, y_pred, average: str = "binary") -> float:
    return _report(2, y_true, y_pred, average)


def roc_auc(y_true, scores) -> float:
    """Area under the ROC curve: the probability that a random positive scores higher than a
    random negative (ties count ½), computed from ranks (Mann-Whitney U).  With scores of
    shape (N, C) and labels 0..C-1: the macro average of the one-vs-rest AUCs."""
    y_true, scores = _labels(y_true), _labels(scores)
    if scores.ndim == 2:
        return float(np.mean([roc_auc(y_true == c, scores[:, c])
                              for c in range(scores.shape[1])]))
    positive = y_true.astype(bool)
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("roc_auc: needs at least one positive and one negative sample")
    ranks = rankdata(scores)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
