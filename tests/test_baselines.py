"""The baseline detectors' own behaviour (``baselines/``)."""

import numpy as np
import pytest
from conftest import assert_finite_scores
from numpy.testing import assert_allclose

from algan_sklearn import KNNDetector, ZScoreDetector


@pytest.mark.parametrize("detector_cls", [KNNDetector, ZScoreDetector])
def test_baselines_fit_on_huge_finite_values(detector_cls, blob, no_warnings):
    # Squares of values above ~1e154 overflow float64; the baselines must not.
    det = detector_cls().fit(blob * 1e200)
    scores = det.score_samples(blob * 1e200)
    assert_finite_scores(scores, len(blob))
    assert_allclose(
        scores * (1e-200 if detector_cls is KNNDetector else 1.0),
        detector_cls().fit(blob).score_samples(blob),
        rtol=1e-9,
    )


@pytest.mark.parametrize(
    "det, name",
    [
        (KNNDetector(n_neighbors=0), "n_neighbors"),
        (KNNDetector(method="max"), "method"),
        (KNNDetector(contamination=0.0), "contamination"),
        (ZScoreDetector(method="median"), "method"),
        (ZScoreDetector(contamination="0.1"), "contamination"),
    ],
)
def test_baseline_invalid_params_rejected_in_fit(blob, det, name):
    with pytest.raises(ValueError, match=f"The '{name}' parameter of {type(det).__name__} must be"):
        det.fit(blob)


def test_knn_n_jobs_zero_rejected_by_parameter_validation(blob):
    with pytest.raises(ValueError, match="'n_jobs' parameter of KNNDetector"):
        KNNDetector(n_jobs=0).fit(blob)


def test_gaussian_mixture_baseline_selects_components_by_aic_and_falls_back():
    from sklearn.mixture import GaussianMixture

    from algan_sklearn import GaussianMixtureDetector

    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(size=(200, 2)) * 0.3 + [4, 0], rng.normal(size=(200, 2)) * 0.3 - [4, 0]])
    det = GaussianMixtureDetector(calibration_fraction=0, random_state=0).fit(X)  # every row in the mixture
    assert det.n_components_ == 2
    assert det.score_samples([[0.0, 0.0]])[0] < det.score_samples(X).min()  # the empty middle
    # the same density as scikit-learn's mixture on the standardised rows
    Z = (X - X.mean(0)) / X.std(0)
    ref = GaussianMixture(2, covariance_type="full", reg_covar=1e-3, random_state=det.mixture_.random_state).fit(Z)
    np.testing.assert_allclose(det.score_samples(X[:20]), ref.score_samples(Z[:20]), rtol=1e-6, atol=1e-6)
    # more features than max_features: one Ledoit-Wolf Gaussian
    wide = GaussianMixtureDetector(max_features=1).fit(X)
    assert wide.mixture_ is None and wide.n_components_ == 1
