"""Conformal p-values and the Benjamini-Hochberg procedure."""

import warnings

import numpy as np
import pytest
from conftest import fast_algan
from scipy.stats import kstest
from sklearn.datasets import load_breast_cancer
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from algan_sklearn import ALGANDetector, GaussianMixtureDetector, KNNDetector, ZScoreDetector
from algan_sklearn.conformal import ConformalDetector, benjamini_hochberg, conformal_pvalues
from algan_sklearn.model_selection import novelty_split


def test_conformal_pvalues_formula_and_ties():
    cal = np.array([3.0, 1.0, 2.0, 2.0])
    np.testing.assert_allclose(conformal_pvalues(cal, [0.0, 2.0, 9.0]), [1 / 5, 4 / 5, 1.0])
    with pytest.raises(ValueError, match="at least one"):
        conformal_pvalues([], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        conformal_pvalues(cal, [np.nan])


def test_benjamini_hochberg_step_up():
    p = np.array([0.001, 0.2, 0.012, 0.04, 0.9])
    # thresholds 0.1 * k / 5: 0.02, 0.04, 0.06, 0.08, 0.1 -> the three smallest pass (step-up)
    np.testing.assert_array_equal(benjamini_hochberg(p, 0.1), [True, False, True, True, False])
    assert not benjamini_hochberg([0.5, 0.6], 0.1).any()
    with pytest.raises(ValueError, match="alpha"):
        benjamini_hochberg(p, 1.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        benjamini_hochberg([1.2], 0.1)


def test_benjamini_hochberg_warns_when_calibration_rows_are_too_few():
    # breast cancer as a new user ran it: 50 calibration rows, ~300 test rows, FDR 0.05
    p = np.full(300, 0.5)
    p[:5] = 1 / 51
    message = r"alpha=0.05 among 300 rows can only flag a group of at least 118 rows"
    with pytest.warns(UserWarning, match=message) as rec:
        assert not benjamini_hochberg(p, 0.05, n_calibration=50).any()
    assert "needs at least 5999 calibration rows" in str(rec[0].message)
    with pytest.warns(UserWarning, match="cannot flag any row"):
        benjamini_hochberg(p, 0.01, n_calibration=50)  # 1/51 > 0.01: not even all 300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        benjamini_hochberg(p, 0.05, n_calibration=5999)
        benjamini_hochberg(p, 0.05)  # no check without the number of calibration rows
        benjamini_hochberg([], 0.05, n_calibration=3)
    with pytest.raises(ValueError, match="n_calibration must be a positive int"):
        benjamini_hochberg(p, 0.05, n_calibration=0)


def test_conformal_detector_uses_the_detectors_own_held_out_stage():
    X = np.random.RandomState(0).normal(size=(1000, 3))
    for estimator in (KNNDetector(contamination=0.05), make_pipeline(StandardScaler(), ZScoreDetector())):
        det = ConformalDetector(estimator, calibration_fraction=0.3, random_state=0).fit(X)
        last = det.estimator_[-1] if hasattr(det.estimator_, "steps") else det.estimator_
        # the detector's threshold and p-values come from the wrapper's 300 held-out rows
        assert last.n_calibration_ == det.n_calibration_ == 300
        np.testing.assert_array_equal(last.calibration_scores_, det.calibration_scores_)
        assert det.offset_ == last.offset_
        rows = det.estimator_[:-1].transform(X[:50]) if last is not det.estimator_ else X[:50]
        np.testing.assert_array_equal(det.pvalues(X[:50]), last.pvalues(rows))
    with pytest.warns(UserWarning, match="needs at least 99 held-out rows, and 20 were held out"):
        ConformalDetector(KNNDetector(contamination=0.01), random_state=0).fit(X[:100])


def test_pvalues_of_new_normal_rows_are_uniform():
    rng = np.random.RandomState(0)
    cov = np.array([[1.0, 0.6], [0.6, 1.0]])
    X = rng.multivariate_normal([0, 0], cov, size=6000)
    new = rng.multivariate_normal([0, 0], cov, size=2000)
    det = ALGANDetector(max_iter=300, calibration_fraction=0.3, random_state=0).fit(X)
    assert det.n_calibration_ == 1800
    assert kstest(det.pvalues(new), "uniform").pvalue > 0.01


@pytest.mark.slow
def test_benjamini_hochberg_controls_false_discoveries():
    """Realised FDR at 0.1, averaged over 20 seeds, stays at or below 0.1 while anomalies are found."""
    fdrs, powers = [], []
    for seed in range(20):
        rng = np.random.RandomState(seed)
        X = rng.normal(size=(1000, 3))
        test = np.vstack([rng.normal(size=(500, 3)), rng.normal(size=(50, 3)) + [4.0, 0.0, 0.0]])
        is_anomaly = np.r_[np.zeros(500, bool), np.ones(50, bool)]
        det = fast_algan(max_iter=100, calibration_fraction=0.3, random_state=seed).fit(X)
        flagged = benjamini_hochberg(det.pvalues(test), 0.1)
        fdrs.append((flagged & ~is_anomaly).sum() / max(1, flagged.sum()))
        powers.append(flagged[is_anomaly].mean())
    assert np.mean(fdrs) <= 0.1
    assert np.mean(powers) > 0.4


def test_pvalues_need_held_out_rows():
    X = np.random.RandomState(1).normal(size=(200, 2))
    with pytest.raises(ValueError, match="held out"):
        fast_algan(calibration_fraction=0).fit(X).pvalues(X)


# ---------------------------------------------------------------------------- any detector: ConformalDetector

WRAPPED = {
    "kNN": KNNDetector(),
    "z-score": ZScoreDetector(),
    "GMM": GaussianMixtureDetector(max_components=2, random_state=0),
    "LOF": LocalOutlierFactor(novelty=True),
    "pipeline": make_pipeline(StandardScaler(), KNNDetector()),
}


@pytest.mark.parametrize("name", list(WRAPPED))
def test_conformal_detector_pvalues_are_uniform_for_new_normal_rows(name):
    rng = np.random.RandomState(0)
    cov = np.array([[1.0, 0.6], [0.6, 1.0]])
    X = rng.multivariate_normal([0, 0], cov, size=12000)
    new = rng.multivariate_normal([0, 0], cov, size=2000)
    det = ConformalDetector(WRAPPED[name], calibration_fraction=0.5, random_state=0).fit(X)
    assert det.n_calibration_ == 6000
    p = det.pvalues(new)
    assert kstest(p, "uniform").pvalue > 0.01
    assert det.pvalues([[8.0, -8.0]])[0] == 1 / 6001
    np.testing.assert_array_equal(det.predict(new[:50]), det.estimator_.predict(new[:50]))


def test_conformal_detector_keeps_the_estimator_and_feature_names():
    import pandas as pd

    frame = pd.DataFrame(np.random.RandomState(0).normal(size=(100, 2)), columns=["a", "b"])
    knn = KNNDetector()
    det = ConformalDetector(knn, random_state=0).fit(frame)
    assert not hasattr(knn, "nn_")  # cloned, not fitted in place
    assert list(det.feature_names_in_) == ["a", "b"] and det.n_calibration_ == 20
    assert det.offset_ == det.estimator_.offset_
    with pytest.raises(ValueError, match="calibration_fraction"):
        ConformalDetector(knn, calibration_fraction=1.0).fit(frame)


def test_refit_on_an_array_forgets_the_feature_names():
    import pandas as pd

    from algan_sklearn.inspection import feature_contributions
    from algan_sklearn.parallel import score_in_chunks

    X = np.random.RandomState(0).normal(size=(60, 3))
    det = ConformalDetector(ZScoreDetector(), random_state=0).fit(pd.DataFrame(X[:, :2], columns=["a", "b"]))
    det.fit(X)
    assert not hasattr(det, "feature_names_in_") and det.n_features_in_ == 3
    explained = feature_contributions(det, X[:4], as_frame=True).contributions
    assert list(explained.columns) == ["x0", "x1", "x2"]
    np.testing.assert_array_equal(score_in_chunks(det, X, batch_rows=25), det.score_samples(X))


@pytest.mark.slow
def test_benjamini_hochberg_false_discovery_rate_on_a_real_data_set():
    """Breast cancer (benign normal, malignant anomalous), novelty split, 20 seeds: mean FDR <= 0.1."""
    X, y = load_breast_cancer(return_X_y=True)
    makers = {
        "ALGAN": lambda seed: fast_algan(max_iter=100, calibration_fraction=0.3, random_state=seed),
        "kNN": lambda seed: ConformalDetector(KNNDetector(), calibration_fraction=0.3, random_state=seed),
        "z-score": lambda seed: ConformalDetector(ZScoreDetector(), calibration_fraction=0.3, random_state=seed),
    }
    for name, make in makers.items():
        fdrs = []
        for seed in range(20):
            X_train, X_test, y_test = novelty_split(X, y, random_state=seed)
            flagged = benjamini_hochberg(make(seed).fit(X_train).pvalues(X_test), 0.1)
            fdrs.append((flagged & (y_test == 0)).sum() / max(1, flagged.sum()))
        assert np.mean(fdrs) <= 0.1, (name, np.mean(fdrs))
