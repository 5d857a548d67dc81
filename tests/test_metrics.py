"""Metrics equal scikit-learn's on random inputs."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from minigrad import metrics

sk = pytest.importorskip("sklearn.metrics")

labels = st.integers(2, 60).flatmap(lambda n: st.tuples(
    hnp.arrays(np.int64, n, elements=st.integers(0, 3)),
    hnp.arrays(np.int64, n, elements=st.integers(0, 3))))


@given(pair=labels)
def test_multiclass_metrics(pair):
    y_true, y_pred = pair
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(sk.accuracy_score(y_true, y_pred))
    for ours, theirs in ((metrics.precision, sk.precision_score), (metrics.recall, sk.recall_score),
                         (metrics.f1_score, sk.f1_score)):
        assert ours(y_true, y_pred, "macro") == pytest.approx(
            theirs(y_true, y_pred, average="macro", zero_division=0))
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred, 4),
                                  sk.confusion_matrix(y_true, y_pred, labels=range(4)))


@given(pair=labels)
def test_binary_metrics(pair):
    y_true, y_pred = pair[0] % 2, pair[1] % 2
    for ours, theirs in ((metrics.precision, sk.precision_score), (metrics.recall, sk.recall_score),
                         (metrics.f1_score, sk.f1_score)):
        assert ours(y_true, y_pred) == pytest.approx(theirs(y_true, y_pred, zero_division=0))


@given(data=st.data())
def test_roc_auc(data):
    n = data.draw(st.integers(2, 50))
    y = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, 1)))
    if len(set(y.tolist())) < 2:
        return
    scores = data.draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.1, 0.5, 0.7, 0.9])))
    assert metrics.roc_auc(y, scores) == pytest.approx(sk.roc_auc_score(y, scores))


def test_multiclass_roc_auc_is_macro_one_vs_rest():
    rng = np.random.default_rng(0)
    y = np.arange(60) % 3
    p = rng.dirichlet(np.ones(3), 60)
    assert metrics.roc_auc(y, p) == pytest.approx(sk.roc_auc_score(y, p, multi_class="ovr"))


def test_errors():
    with pytest.raises(ValueError, match="y_true has shape"):
        metrics.accuracy([1, 2], [1])
    with pytest.raises(ValueError, match="average='binary' needs labels 0/1"):
        metrics.precision([0, 2], [0, 2])
    with pytest.raises(ValueError, match="at least one positive and one negative"):
        metrics.roc_auc([1, 1], [0.2, 0.3])
