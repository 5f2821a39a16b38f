"""The inlier-only stratified K-fold splitter (algan_sklearn.model_selection)."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.model_selection import GridSearchCV, cross_validate

from algan_sklearn import KNNDetector
from algan_sklearn.metrics import make_outlier_scorer
from algan_sklearn.model_selection import InlierOnlyStratifiedKFold


@pytest.fixture
def labels():
    """50 normal rows (0) and 10 anomalies (1), interleaved."""
    y = np.zeros(60, dtype=int)
    y[::6] = 1
    return y


@pytest.mark.parametrize("shuffle, random_state", [(False, None), (True, 0)])
def test_folds_follow_the_novelty_protocol(labels, shuffle, random_state):
    y = labels
    X = np.zeros((len(y), 2))
    cv = InlierOnlyStratifiedKFold(n_splits=5, anomaly_label=1, shuffle=shuffle, random_state=random_state)
    folds = list(cv.split(X, y))
    assert len(folds) == cv.get_n_splits() == 5
    seen = []
    for train, test in folds:
        assert np.all(y[train] == 0), "a training fold holds an anomaly"
        assert set(y[test]) == {0, 1}, "a validation fold lacks a class"
        assert np.sum(y[test]) == 2  # stratified: 10 anomalies over 5 folds
        assert not set(train) & set(test)
        normal_outside = np.setdiff1d(np.flatnonzero(y == 0), test)
        np.testing.assert_array_equal(np.sort(train), normal_outside)
        seen.append(test)
    np.testing.assert_array_equal(np.sort(np.concatenate(seen)), np.arange(len(y)))


def test_both_label_conventions_give_the_same_folds(labels):
    X = np.zeros((len(labels), 1))
    y_sklearn = np.where(labels == 1, -1, 1)
    a = InlierOnlyStratifiedKFold(3, anomaly_label=1, shuffle=True, random_state=1).split(X, labels)
    b = InlierOnlyStratifiedKFold(3, anomaly_label=-1, shuffle=True, random_state=1).split(X, y_sklearn)
    for (tr_a, te_a), (tr_b, te_b) in zip(a, b, strict=True):
        np.testing.assert_array_equal(tr_a, tr_b)
        np.testing.assert_array_equal(te_a, te_b)


def test_matches_stratified_kfold_validation_folds(labels):
    from sklearn.model_selection import StratifiedKFold

    X = np.zeros((len(labels), 1))
    ours = InlierOnlyStratifiedKFold(4, anomaly_label=1, shuffle=True, random_state=3).split(X, labels)
    ref = StratifiedKFold(4, shuffle=True, random_state=3).split(X, labels)
    for (_, te_a), (tr_b, te_b) in zip(ours, ref, strict=True):
        np.testing.assert_array_equal(te_a, te_b)


def test_errors(labels):
    X = np.zeros((len(labels), 1))
    with pytest.raises(TypeError, match="anomaly_label"):
        InlierOnlyStratifiedKFold(3)
    with pytest.raises(ValueError, match="n_splits must be an int of at least 2"):
        InlierOnlyStratifiedKFold(1, anomaly_label=1)
    with pytest.raises(ValueError, match="random_state"):
        InlierOnlyStratifiedKFold(3, anomaly_label=1, random_state=0)
    cv = InlierOnlyStratifiedKFold(3, anomaly_label=1)
    with pytest.raises(ValueError, match="needs y"):
        next(cv.split(X))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        next(cv.split(X[:-1], labels))
    few = labels.copy()
    few[few == 1] = 0
    few[:2] = 1
    with pytest.raises(ValueError, match="2 anomalies.*fewer than n_splits=3"):
        next(cv.split(X, few))
    # ADBench labels with scikit-learn's outlier label: no anomaly found, and the message says why
    with pytest.raises(ValueError, match=r"0 anomalies \(anomaly_label=-1\).*anomaly_label=1 for the 0 normal"):
        next(InlierOnlyStratifiedKFold(3, anomaly_label=-1).split(X, labels))
    with pytest.raises(ValueError, match="inliers as anomalies"):
        next(cv.split(X, np.where(labels == 1, -1, 1)))


def test_repr():
    cv = InlierOnlyStratifiedKFold(3, anomaly_label=-1)
    assert " ".join(repr(cv).split()) == (
        "InlierOnlyStratifiedKFold(anomaly_label=-1, n_splits=3, random_state=None, shuffle=False)"
    )


class _RecordingDetector(OutlierMixin, BaseEstimator):
    """Remembers which rows it was fitted on (through a first column holding the row index)."""

    def fit(self, X, y=None):
        self.rows_ = np.asarray(X)[:, 0].astype(int)
        self.y_seen_ = None if y is None else np.asarray(y)
        return self

    def score_samples(self, X):
        return -np.abs(np.asarray(X)[:, 1])


def test_cross_validate_trains_on_normal_rows_only(labels):
    rng = np.random.RandomState(0)
    y = labels
    X = np.c_[np.arange(len(y)), rng.normal(size=len(y)) + 6.0 * y]
    cv = InlierOnlyStratifiedKFold(5, anomaly_label=1)
    res = cross_validate(
        _RecordingDetector(),
        X,
        y,
        cv=cv,
        scoring=make_outlier_scorer(anomaly_label=1),
        return_estimator=True,
        error_score="raise",
    )
    for est, (train, _) in zip(res["estimator"], cv.split(X, y), strict=True):
        np.testing.assert_array_equal(est.rows_, train)
        assert np.all(y[est.rows_] == 0)
    assert np.all(res["test_score"] > 0.9)


def test_grid_search_with_pandas(labels):
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(len(labels), 3)) + 6.0 * labels[:, None], columns=["a", "b", "c"])
    y = pd.Series(np.where(labels == 1, "anomaly", "normal"))
    search = GridSearchCV(
        KNNDetector(),
        {"n_neighbors": [1, 3]},
        cv=InlierOnlyStratifiedKFold(3, anomaly_label="anomaly"),
        scoring=make_outlier_scorer(anomaly_label="anomaly"),
        refit=False,
        error_score="raise",
    ).fit(X, y)
    assert np.all(search.cv_results_["mean_test_score"] > 0.95)
    assert search.best_params_ in ({"n_neighbors": 1}, {"n_neighbors": 3})
