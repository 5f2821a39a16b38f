"""Behaviour of the detectors: score sign, determinism, persistence, Pipeline and GridSearchCV."""

import io
import itertools
import pickle

import joblib
import numpy as np
import pytest
import torch
from conftest import FAST_ALGAN, fast_algan
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import make_scorer, roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted


def far_directions(n_features, seed=0):
    """Unit vectors: both ways along every axis, every diagonal, and random directions."""
    axes = np.vstack([np.eye(n_features), -np.eye(n_features)])
    diagonals = np.array(list(itertools.product([-1.0, 1.0], repeat=n_features))) / np.sqrt(n_features)
    random = np.random.RandomState(seed).normal(size=(8, n_features))
    random /= np.linalg.norm(random, axis=1, keepdims=True)
    return np.vstack([axes, diagonals, random])


# ---------------------------------------------------------------------------- score sign


@pytest.mark.parametrize("distance", [10.0, 1000.0])
def test_far_points_score_below_every_training_point(detector, blob, distance):
    # The data have scale 1; far points lie `distance` times that away from the centre.
    far = blob.mean(axis=0) + distance * far_directions(blob.shape[1])
    detector.fit(blob)
    train_scores = detector.score_samples(blob)
    far_scores = detector.score_samples(far)
    assert np.all(np.isfinite(far_scores))
    assert far_scores.max() < train_scores.min()
    # predict and decision_function follow the same sign: far points are outliers.
    assert_array_equal(detector.predict(far), -1)
    assert np.all(detector.decision_function(far) < 0)


@pytest.mark.parametrize("distance", [10.0, 1000.0])
def test_algan_far_points_raw_mixed_units(distance):
    # Raw, unscaled features in very different units: age in years, income in
    # dollars, a ratio, a temperature in kelvin.
    rng = np.random.RandomState(0)
    mean = np.array([40.0, 50_000.0, 0.02, 300.0])
    std = np.array([10.0, 15_000.0, 0.005, 5.0])
    X = mean + std * rng.normal(size=(300, 4))
    # `distance` feature standard deviations away, in every direction, and points far
    # in one raw unit only.
    far = mean + distance * far_directions(4) * std
    far = np.vstack([far, [[40.0, 50_000.0, 0.02 + distance, 300.0]], [[40.0 + distance * 100, 50_000.0, 0.02, 300.0]]])
    det = fast_algan().fit(X)
    train_scores = det.score_samples(X)
    far_scores = det.score_samples(far)
    assert np.all(np.isfinite(far_scores))
    assert far_scores.max() < train_scores.min()


# ---------------------------------------------------------------------------- determinism


def test_algan_same_random_state_same_scores_different_differs(blob):
    a = fast_algan(random_state=0).fit(blob).score_samples(blob)
    b = fast_algan(random_state=0).fit(blob).score_samples(blob)
    c = fast_algan(random_state=1).fit(blob).score_samples(blob)
    assert_array_equal(a, b)
    assert np.max(np.abs(a - c)) > 1e-3


@pytest.mark.parametrize("random_state", [0, np.random.RandomState(0)], ids=["int", "RandomState"])
def test_global_rng_states_unchanged_by_fit_and_scoring(detector, blob, random_state):
    if "random_state" in detector.get_params():
        detector.set_params(random_state=random_state)
    np.random.seed(123)
    torch.manual_seed(123)
    np_state = np.random.get_state()
    torch_state = torch.get_rng_state()
    detector.fit(blob)
    detector.score_samples(blob)
    detector.decision_function(blob)
    detector.predict(blob)
    after = np.random.get_state()
    assert after[0] == np_state[0]
    assert_array_equal(after[1], np_state[1])
    assert after[2:] == np_state[2:]
    assert torch.equal(torch.get_rng_state(), torch_state)


# ---------------------------------------------------------------------------- pickle and clone


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_pickle_joblib_round_trip_gives_identical_scores(detector, blob, dump):
    detector.fit(blob)
    if dump == "pickle":
        loaded = pickle.loads(pickle.dumps(detector))
    else:
        buffer = io.BytesIO()
        joblib.dump(detector, buffer)
        buffer.seek(0)
        loaded = joblib.load(buffer)
    assert_array_equal(loaded.score_samples(blob), detector.score_samples(blob))
    assert_array_equal(loaded.predict(blob), detector.predict(blob))
    assert loaded.offset_ == detector.offset_


def test_clone_gives_unfitted_copy_with_equal_params(detector, blob):
    detector.fit(blob)
    copy = clone(detector)
    assert copy.get_params() == detector.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(copy)
    with pytest.raises(NotFittedError):
        copy.score_samples(blob)


# ---------------------------------------------------------------------------- Pipeline and GridSearchCV


def _inlier_auroc(y_true, scores):
    """AUROC of ``scores`` (higher = more normal) for labels +1 (inlier) / -1 (outlier)."""
    y_true = np.asarray(y_true)
    if not np.all(np.isin(y_true, [-1, 1])):
        raise ValueError("labels must be +1 (inlier) or -1 (outlier)")
    return roc_auc_score(y_true == 1, scores)


#: Module level (not a lambda), so that fitted grid searches pickle.
INLIER_AUROC = make_scorer(_inlier_auroc, response_method="decision_function")


def labelled_split(seed=0):
    """Normal training rows, then labelled validation rows; one predefined split."""
    rng = np.random.RandomState(seed)
    train = rng.normal(size=(150, 4))
    val_normal = rng.normal(size=(60, 4))
    val_anomalous = rng.normal(size=(20, 4)) + rng.choice([-6.0, 6.0], size=(20, 4))
    X = np.vstack([train, val_normal, val_anomalous])
    y = np.r_[np.ones(210, dtype=int), -np.ones(20, dtype=int)]
    cv = [(np.arange(150), np.arange(150, 230))]
    return X, y, cv


def test_pipeline_with_standard_scaler():
    X, y, _ = labelled_split()
    pipe = make_pipeline(StandardScaler(), fast_algan()).fit(X[:150])
    scores = pipe.score_samples(X[150:])
    assert scores.shape == (80,) and scores.dtype == np.float64
    assert np.all(np.isfinite(scores))
    assert _inlier_auroc(y[150:], scores) > 0.9
    assert set(np.unique(pipe.predict(X[150:]))) <= {-1, 1}


def test_grid_search_over_sigma_and_alpha_with_labelled_validation():
    X, y, cv = labelled_split()
    grid = {"algandetector__sigma": [2.0, 4.0], "algandetector__alpha": [0.5, 0.8]}
    search = GridSearchCV(make_pipeline(StandardScaler(), fast_algan()), grid, scoring=INLIER_AUROC, cv=cv)
    search.fit(X, y)
    mean_scores = search.cv_results_["mean_test_score"]
    assert len(mean_scores) == 4
    assert np.all(np.isfinite(mean_scores))
    assert search.best_params_["algandetector__sigma"] in grid["algandetector__sigma"]
    assert search.best_params_["algandetector__alpha"] in grid["algandetector__alpha"]
    assert search.best_score_ == mean_scores.max()
    assert search.best_score_ > 0.9
    scores = search.score_samples(X[150:])
    assert np.all(np.isfinite(scores))
    # The refitted best estimator carries the chosen parameters.
    best = search.best_estimator_[-1]
    assert (best.sigma, best.alpha) == (
        search.best_params_["algandetector__sigma"],
        search.best_params_["algandetector__alpha"],
    )
    assert best.max_iter == FAST_ALGAN["max_iter"]


def test_threshold_carries_over_to_new_rows(detector):
    """contamination=0.05 flags about 5% of new rows drawn like the training rows."""
    rng = np.random.RandomState(0)
    cov = np.array([[1.0, 0.8, 0.0], [0.8, 1.0, 0.3], [0.0, 0.3, 1.0]])
    X = rng.multivariate_normal(np.zeros(3), cov, size=1500)
    new = rng.multivariate_normal(np.zeros(3), cov, size=4000)
    detector.set_params(contamination=0.05).fit(X)
    assert 0.02 <= np.mean(detector.predict(new) == -1) <= 0.10


def test_gaussian_mixture_baseline_selects_components_by_aic_and_falls_back():
    from sklearn.mixture import GaussianMixture

    from algan_sklearn import GaussianMixtureDetector

    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(size=(200, 2)) * 0.3 + [4, 0], rng.normal(size=(200, 2)) * 0.3 - [4, 0]])
    det = GaussianMixtureDetector(random_state=0).fit(X)
    assert det.n_components_ == 2
    assert det.score_samples([[0.0, 0.0]])[0] < det.score_samples(X).min()  # the empty middle
    # the same density as scikit-learn's mixture on the standardised rows
    Z = (X - X.mean(0)) / X.std(0)
    ref = GaussianMixture(2, covariance_type="full", reg_covar=1e-3, random_state=det.mixture_.random_state).fit(Z)
    np.testing.assert_allclose(det.score_samples(X[:20]), ref.score_samples(Z[:20]), rtol=1e-6, atol=1e-6)
    # more features than max_features: one Ledoit-Wolf Gaussian
    wide = GaussianMixtureDetector(max_features=1).fit(X)
    assert wide.mixture_ is None and wide.n_components_ == 1
