"""Conformal p-values and the Benjamini-Hochberg procedure."""

import numpy as np
import pytest
from conftest import fast_algan
from scipy.stats import kstest

from algan_sklearn import ALGANDetector
from algan_sklearn.conformal import benjamini_hochberg, conformal_pvalues


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


def test_pvalues_of_new_normal_rows_are_uniform():
    rng = np.random.RandomState(0)
    cov = np.array([[1.0, 0.6], [0.6, 1.0]])
    X = rng.multivariate_normal([0, 0], cov, size=6000)
    new = rng.multivariate_normal([0, 0], cov, size=2000)
    det = ALGANDetector(max_iter=300, calibration_fraction=0.3, random_state=0).fit(X)
    assert det.n_calibration_ == 1800
    assert kstest(det.pvalues(new), "uniform").pvalue > 0.01


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
