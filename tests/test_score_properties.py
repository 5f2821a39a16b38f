"""Properties every fitted ALGAN model must have (issue: a trustworthy score).

* points far from the training data score below every training row, in any
  direction and at any distance;
* the ranking does not depend on the units of the features, also for raw data;
* no NaN or infinite score, and diverging training is reported, not returned.
"""

import numpy as np
import pytest
from conftest import fast_algan
from scipy.stats import spearmanr

from algan_sklearn import ALGANDetector, TrainingDivergedError


def _directions(n_features, n, seed):
    rng = np.random.RandomState(seed)
    d = rng.normal(size=(n, n_features))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    axes = np.vstack([np.eye(n_features), -np.eye(n_features)])
    return np.vstack([d, axes])


def _correlated_data(seed=0, n=300):
    rng = np.random.RandomState(seed)
    z = rng.normal(size=(n, 3))
    # correlated, anisotropic, with a bimodal feature
    X = np.column_stack([z[:, 0], 0.9 * z[:, 0] + 0.1 * z[:, 1], 5 * z[:, 2], np.sign(z[:, 1]) * 2 + 0.1 * z[:, 1]])
    return X


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"random_state": 1, "sigma": 8.0, "alpha": 0.8},
        {"random_state": 2, "buffer_size": 0, "alpha": 0.2},
        {"random_state": 3, "n_components": 3},
        {"random_state": 6, "latent_mixing": "coordinate", "sigma": 8.0},
        {"random_state": 4, "scaling": "robust"},
        {"random_state": 5, "scaling": None, "max_iter": 200},
    ],
)
def test_far_points_score_below_every_training_row(params):
    X = _correlated_data()
    det = fast_algan(**params).fit(X)
    train_min = det.score_samples(X).min()
    center, spread = X.mean(axis=0), X.std(axis=0).max()
    dirs = _directions(X.shape[1], 40, seed=7)
    for distance in [10.0, 100.0, 1e4, 1e8, 1e150]:
        far = center + distance * spread * dirs
        scores = det.score_samples(far)
        assert np.all(np.isfinite(scores)), distance
        assert scores.max() < train_min, f"a point at {distance}x the data scale scores as normal"


def test_default_detector_far_points_in_every_direction():
    """Default parameters (full training length) on data with a long-tailed column."""
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.normal(size=400), rng.standard_t(3, size=400), rng.exponential(size=400)])
    det = ALGANDetector(max_iter=300, random_state=0).fit(X)
    train_min = det.score_samples(X).min()
    far = X.mean(axis=0) + 50 * X.std(axis=0).max() * _directions(3, 60, seed=1)
    assert det.score_samples(far).max() < train_min


def test_score_decreases_along_rays():
    X = _correlated_data(seed=1)
    det = fast_algan().fit(X)
    for direction in _directions(X.shape[1], 10, seed=3):
        t = np.geomspace(5, 1e3, 30)[:, None] * X.std(axis=0).max()
        scores = det.score_samples(X.mean(axis=0) + t * direction)
        assert np.all(np.diff(scores[5:]) < 0), "score must fall strictly far out along every ray"
        # beyond the input clamp (1e4 standard deviations) scores tie, but never rise
        t = np.geomspace(1e3, 1e30, 30)[:, None] * X.std(axis=0).max()
        assert np.all(np.diff(det.score_samples(X.mean(axis=0) + t * direction)) <= 0)


@pytest.mark.parametrize("scaling", ["standard", "robust"])
def test_ranking_does_not_depend_on_units(scaling):
    X = _correlated_data(seed=2)
    rng = np.random.RandomState(0)
    X_test = np.vstack([X[:50] + 0.5 * rng.normal(size=(50, 4)), X.mean(0) + 4 * rng.normal(size=(20, 4))])
    units = np.array([1e-3, 1.0, 1e4, 60.0])
    shift = np.array([1e3, -5.0, 1e6, 0.0])
    a = fast_algan(scaling=scaling).fit(X).score_samples(X_test)
    b = fast_algan(scaling=scaling).fit(X * units + shift).score_samples(X_test * units + shift)
    assert spearmanr(a, b).correlation > 0.999
    np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-3)


def test_raw_unscaled_mixed_units_ranks_far_points_last():
    rng = np.random.RandomState(3)
    # income in dollars, age in years, a ratio in [0, 1]
    X = np.column_stack([rng.lognormal(10, 0.3, 300), rng.normal(45, 10, 300), rng.beta(2, 5, 300)])
    det = fast_algan().fit(X)
    inliers = X[:20]
    outliers = np.array([[X[:, 0].mean(), 45.0, 30.0], [1e8, 45.0, 0.3], [X[:, 0].mean(), 500.0, 0.3]])
    assert det.score_samples(outliers).max() < det.score_samples(inliers).min()


def test_scores_always_finite_for_extreme_inputs():
    X = _correlated_data(seed=4)
    det = fast_algan().fit(X)
    big = np.finfo(np.float64).max
    extreme = np.array([[big, 0, 0, 0], [-big, big, -big, big], [1e-300, 0, 0, 0], [0, 0, 0, 0]])
    scores = det.score_samples(extreme)
    assert np.all(np.isfinite(scores))
    # fitting on huge finite values works too, and ranks its own far points last
    det_big = fast_algan().fit(X * 1e300)
    s = det_big.score_samples(np.vstack([X[:10] * 1e300, [[big, big, -big, big]]]))
    assert np.all(np.isfinite(s)) and s[-1] < s[:-1].min()


def test_diverging_training_is_reported():
    X = _correlated_data(seed=5)
    with pytest.raises(TrainingDivergedError, match="diverged"):
        fast_algan(lr_discriminator=1e30, lr_generator=1e30, max_iter=50).fit(X)


def test_sample_returns_rows_in_training_units():
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.normal(1000.0, 50.0, 300), rng.normal(0.01, 0.002, 300)])
    det = fast_algan(max_iter=200).fit(X)
    normal = det.sample(500, random_state=0)
    wide = det.sample(500, state="anomalous", random_state=0)
    assert normal.shape == (500, 2) and np.all(np.isfinite(normal))
    np.testing.assert_array_equal(normal, det.sample(500, random_state=0))
    # in the units of X: the fake-normal rows sit near the data, the pseudo-anomalies spread wider
    assert abs(np.median(normal[:, 0]) - 1000.0) < 500.0
    assert np.std(wide, axis=0).sum() > np.std(normal, axis=0).sum()
    with pytest.raises(ValueError, match="state"):
        det.sample(3, state="weird")


def test_generator_init_from_a_bounded_subsample(monkeypatch):
    import algan_sklearn._training as training_module

    monkeypatch.setattr(training_module, "INIT_MAX_ROWS", 50)
    X = _correlated_data(seed=6, n=400)
    a = fast_algan().fit(X)
    b = fast_algan().fit(X)
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))  # the subsample follows random_state
    far = X.mean(axis=0) + 1e3 * X.std(axis=0).max() * _directions(4, 10, seed=0)
    assert a.score_samples(far).max() < a.score_samples(X).min()


def _two_clusters(seed=0, n=400):
    rng = np.random.RandomState(seed)
    X = rng.normal(scale=0.3, size=(n, 3))
    X[: n // 2, 0] += 4.0
    X[n // 2 :, 0] -= 4.0
    return X


def test_generator_mixture_separates_clusters_where_a_gaussian_cannot():
    X = _two_clusters()
    midway = np.zeros((1, 3))  # between the clusters: no training row within 3 units
    two = fast_algan(n_components=2).fit(X)
    one = fast_algan(n_components=1, max_iter=1).fit(X)
    assert two.generator_.n_components == 2
    assert two.score_samples(midway)[0] < two.score_samples(X).min()
    assert two.predict(midway)[0] == -1
    # one Gaussian and (almost) no training: the empty middle looks normal
    assert one.score_samples(midway)[0] > np.median(one.score_samples(X))


def test_discriminator_learns_the_hole_a_single_gaussian_misses():
    """With one Gaussian generator, the trained D must carry the ranking between clusters."""
    X = _two_clusters(seed=1)
    midway = np.zeros((1, 3))
    det = ALGANDetector(max_iter=1500, random_state=0).fit(X)
    assert det.score_samples(midway)[0] < np.percentile(det.score_samples(X), 1)


def test_components_capped_by_rows():
    X = _two_clusters(seed=2)
    # fewer than 2 (n_features + 1) rows: one Gaussian; otherwise at most one component per n_features + 1 rows
    no_holdout = {"calibration_fraction": 0}
    assert fast_algan(n_components=5, **no_holdout).fit(X[:7]).generator_.n_components == 1
    assert fast_algan(n_components=50, **no_holdout).fit(X[:40]).generator_.n_components == 10


@pytest.mark.parametrize("scale", [1e-16, 1e-20, 1e-300])
@pytest.mark.parametrize("scaling", [None, "standard", "robust"])
def test_columns_of_very_different_scales_give_finite_scores(scale, scaling):
    """Issue 12, kind 4: every scaling option keeps the finite-score and far-point promises."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3)) * np.array([1.0, scale, 1.0])
    det = fast_algan(scaling=scaling, max_iter=100).fit(X)
    train = det.score_samples(X)
    far = det.score_samples(np.array([[1e5, 1e5, 1e5], [-1e5, 0.0, 1e5]]))
    assert np.all(np.isfinite(train)) and np.all(np.isfinite(far))
    assert far.max() < train.min()
