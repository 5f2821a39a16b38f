"""AUROC and average-precision scorers for outlier detectors (algan_sklearn.metrics)."""

import warnings

import numpy as np
import pytest
from conftest import fast_algan
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, get_scorer, roc_auc_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from algan_sklearn import KNNDetector, ZScoreDetector
from algan_sklearn.metrics import anomaly_score, make_outlier_scorer
from algan_sklearn.model_selection import InlierOnlyStratifiedKFold


@pytest.fixture
def toy():
    """120 normal rows around the origin and 12 far anomalies; y01 = 1 marks anomalies."""
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(size=(120, 3)), rng.normal(8.0, 1.0, size=(12, 3))])
    y01 = np.r_[np.zeros(120, dtype=int), np.ones(12, dtype=int)]
    return X, y01


def _split(X, y01):
    """Normal training rows and a mixed validation set."""
    train = np.r_[0:80]
    test = np.r_[80:132]
    return X[train], X[test], y01[test]


@pytest.mark.parametrize("make_detector", [ZScoreDetector, fast_algan], ids=["zscore", "algan"])
@pytest.mark.parametrize("metric", ["roc_auc", "average_precision"])
def test_far_anomalies_score_near_one_in_both_conventions(toy, make_detector, metric):
    X, y01 = toy
    X_train, X_test, y_test = _split(X, y01)
    det = make_detector().fit(X_train)
    y_sklearn = np.where(y_test == 1, -1, 1)
    s01 = make_outlier_scorer(metric, anomaly_label=1)(det, X_test, y_test)
    spm = make_outlier_scorer(metric, anomaly_label=-1)(det, X_test, y_sklearn)
    assert s01 == spm
    assert s01 > 0.95  # the sign is pinned: far rows are the anomalies


def test_matches_sklearn_metric_on_negated_score_samples(toy):
    X, y01 = toy
    X_train, X_test, y_test = _split(X, y01)
    det = KNNDetector().fit(X_train)
    expected_auc = roc_auc_score(y_test, -det.score_samples(X_test))
    expected_ap = average_precision_score(y_test, -det.score_samples(X_test))
    assert make_outlier_scorer("roc_auc", anomaly_label=1)(det, X_test, y_test) == pytest.approx(expected_auc)
    assert make_outlier_scorer("average_precision", anomaly_label=1)(det, X_test, y_test) == pytest.approx(expected_ap)
    # the built-in scorer silently inverts on 0/1 labels; ours does not
    builtin = get_scorer("roc_auc")(det, X_test, y_test)
    assert builtin == pytest.approx(1.0 - expected_auc)


def test_response_methods_agree(toy):
    X, y01 = toy
    X_train, X_test, y_test = _split(X, y01)
    det = IsolationForest(random_state=0).fit(X_train)
    values = {
        method: make_outlier_scorer("roc_auc", anomaly_label=1, response_method=method)(det, X_test, y_test)
        for method in ("auto", "score_samples", "decision_function")
    }
    assert len(set(values.values())) == 1
    np.testing.assert_allclose(anomaly_score(det, X_test), -det.score_samples(X_test))
    np.testing.assert_allclose(
        anomaly_score(det, X_test, response_method="decision_function"), -det.decision_function(X_test)
    )


def test_string_and_pandas_labels(toy):
    pd = pytest.importorskip("pandas")
    X, y01 = toy
    X_train, X_test, y_test = _split(X, y01)
    det = ZScoreDetector().fit(X_train)
    expected = make_outlier_scorer(anomaly_label=1)(det, X_test, y_test)
    y_str = pd.Series(np.where(y_test == 1, "anomaly", "normal"), name="label")
    assert make_outlier_scorer(anomaly_label="anomaly")(det, pd.DataFrame(X_test), y_str) == expected
    y_bool = y_test.astype(bool)
    assert make_outlier_scorer(anomaly_label=True)(det, X_test, y_bool) == expected


def test_one_class_fold_raises_clear_error(toy):
    X, y01 = toy
    det = ZScoreDetector().fit(X[:80])
    scorer = make_outlier_scorer("roc_auc", anomaly_label=1)
    with pytest.raises(ValueError, match="undefined on this validation fold.*no anomalies.*InlierOnlyStratifiedKFold"):
        scorer(det, X[:50], y01[:50])
    with pytest.raises(ValueError, match="anomalies only"):
        scorer(det, X[120:], y01[120:])


def test_one_class_fold_in_cross_val_score_is_not_silent(toy):
    X, y01 = toy  # unshuffled KFold: the first folds hold no anomaly
    scorer = make_outlier_scorer("roc_auc", anomaly_label=1)
    with pytest.raises(ValueError, match="undefined on this validation fold"):
        cross_val_score(ZScoreDetector(), X, y01, cv=KFold(3), scoring=scorer, error_score="raise")
    with pytest.warns(UserWarning, match="undefined on this validation fold"):
        scores = cross_val_score(ZScoreDetector(), X, y01, cv=KFold(3), scoring=scorer)
    assert np.isnan(scores[0])


def test_wrong_convention_is_caught(toy):
    X, y01 = toy
    X_train, X_test, y_test = _split(X, y01)
    det = ZScoreDetector().fit(X_train)
    y_sklearn = np.where(y_test == 1, -1, 1)
    # sklearn labels with the ADBench anomaly label: would score inliers as anomalies
    with pytest.raises(ValueError, match="inliers as anomalies"):
        make_outlier_scorer(anomaly_label=1)(det, X_test, y_sklearn)
    # ADBench labels with sklearn's outlier label: no row is an anomaly
    with pytest.raises(ValueError, match=r"no anomalies.*anomaly_label=-1.*anomaly_label=1 for the 0 normal"):
        make_outlier_scorer(anomaly_label=-1)(det, X_test, y_test)
    with pytest.raises(ValueError, match="two labels"):
        make_outlier_scorer(anomaly_label=1)(det, X_test, np.arange(len(X_test)) % 3)


def test_lof_without_novelty_raises(toy):
    X, y01 = toy
    X_train, X_test, y_test = _split(X, y01)
    scorer = make_outlier_scorer(anomaly_label=1)
    with pytest.raises(TypeError, match="novelty=True"):
        scorer(LocalOutlierFactor().fit(X_train), X_test, y_test)
    with pytest.raises(TypeError, match="novelty=True"):
        scorer(make_pipeline(StandardScaler(), LocalOutlierFactor()).fit(X_train), X_test, y_test)
    assert scorer(LocalOutlierFactor(novelty=True).fit(X_train), X_test, y_test) > 0.95


class _NaNDetector(OutlierMixin, BaseEstimator):
    def fit(self, X, y=None):
        return self

    def score_samples(self, X):
        out = np.zeros(len(X))
        out[0] = np.nan
        return out


def test_nan_scores_raise(toy):
    X, y01 = toy
    with pytest.raises(ValueError, match="1 NaN or infinite values"):
        make_outlier_scorer(anomaly_label=1)(_NaNDetector().fit(X), X, y01)


def test_make_outlier_scorer_arguments(toy):
    X, y01 = toy
    with pytest.raises(TypeError, match="anomaly_label"):
        make_outlier_scorer("roc_auc")
    with pytest.raises(ValueError, match="metric must be one of"):
        make_outlier_scorer("accuracy", anomaly_label=1)
    with pytest.raises(TypeError, match="metric must be one of"):
        make_outlier_scorer(3, anomaly_label=1)
    with pytest.raises(ValueError, match="response_method must be one of"):
        make_outlier_scorer(anomaly_label=1, response_method="predict")
    scorer = make_outlier_scorer(anomaly_label=1)
    assert repr(scorer) == "make_outlier_scorer('roc_auc', anomaly_label=1, response_method='auto')"

    X_train, X_test, y_test = _split(X, y01)
    det = ZScoreDetector().fit(X_train)
    calls = []

    def mean_gap(is_anomaly, scores, sample_weight=None):
        calls.append(sample_weight)
        return scores[is_anomaly == 1].mean() - scores[is_anomaly == 0].mean()

    assert make_outlier_scorer(mean_gap, anomaly_label=1)(det, X_test, y_test) > 0
    weights = np.ones(len(y_test))
    auc = make_outlier_scorer(anomaly_label=1)(det, X_test, y_test)
    assert make_outlier_scorer(anomaly_label=1)(det, X_test, y_test, sample_weight=weights) == auc
    make_outlier_scorer(mean_gap, anomaly_label=1)(det, X_test, y_test, sample_weight=weights)
    assert calls[0] is None and calls[1] is weights


def test_scoring_in_grid_search_and_cross_val_score(toy):
    X, y01 = toy
    cv = InlierOnlyStratifiedKFold(n_splits=3, anomaly_label=1)
    scoring = {
        "auroc": make_outlier_scorer("roc_auc", anomaly_label=1),
        "ap": make_outlier_scorer("average_precision", anomaly_label=1),
    }
    search = GridSearchCV(
        make_pipeline(StandardScaler(), KNNDetector()),
        {"knndetector__n_neighbors": [1, 5]},
        cv=cv,
        scoring=scoring,
        refit="auroc",
        error_score="raise",
    ).fit(X, y01)
    assert np.all(search.cv_results_["mean_test_auroc"] > 0.95)
    assert np.all(search.cv_results_["mean_test_ap"] > 0.9)
    scores = cross_val_score(ZScoreDetector(), X, y01, cv=cv, scoring=scoring["auroc"], error_score="raise")
    assert scores.shape == (3,) and np.all(scores > 0.95)


def test_no_warnings_on_clean_use(toy):
    X, y01 = toy
    cv = InlierOnlyStratifiedKFold(n_splits=3, anomaly_label=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cross_val_score(ZScoreDetector(), X, y01, cv=cv, scoring=make_outlier_scorer(anomaly_label=1))
