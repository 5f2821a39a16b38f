"""ALGANDetector's own behaviour (``_detector.py``): score properties, parameters, Pipeline and GridSearchCV,
batch independence, persistence of a grid search, verbosity and large scoring jobs.
"""

import json
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import torch
from conftest import FAST_ALGAN, far_directions, fast_algan, round_trips
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import make_scorer, roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import algan_sklearn._base as base_module
from algan_sklearn import ALGANDetector, TrainingDivergedError


def test_algan_scores_independent_of_batch_composition(monkeypatch):
    # Wider layers than the fast ones, so that float32 matrix products would use
    # different blockings for different numbers of rows.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 20))
    det = fast_algan(discriminator_hidden=(128, 128), max_iter=5).fit(X)
    full = det.score_samples(X)
    reversed_order = det.score_samples(X[::-1])[::-1]
    pieces = np.concatenate([det.score_samples(X[i : i + 7]) for i in range(0, 300, 7)])
    monkeypatch.setattr(base_module, "SCORE_BLOCK_ROWS", 16)  # last block of 12 rows
    small_batches = det.score_samples(X)
    for other in (reversed_order, pieces, small_batches):
        assert_allclose(other, full, rtol=1e-10, atol=1e-10)


def test_random_state_accepts_none_int_and_random_state(blob):
    by_int = fast_algan(random_state=3).fit(blob).score_samples(blob)
    assert_array_equal(fast_algan(random_state=3).fit(blob).score_samples(blob), by_int)
    by_rs = fast_algan(random_state=np.random.RandomState(3)).fit(blob).score_samples(blob)
    assert_array_equal(fast_algan(random_state=np.random.RandomState(3)).fit(blob).score_samples(blob), by_rs)
    assert np.all(np.isfinite(by_rs))

    # None: fresh entropy; neither numpy's nor torch's global random state is read or changed.
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()
    a = fast_algan(random_state=None).fit(blob).score_samples(blob)
    b = fast_algan(random_state=None).fit(blob).score_samples(blob)
    assert np.all(np.isfinite(a))
    assert not np.array_equal(a, b)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert_array_equal(np.random.get_state()[1], numpy_state[1])


def test_fitted_grid_search_round_trip():
    X, y, cv = labelled_split()
    search = GridSearchCV(fast_algan(), {"sigma": [2.0, 4.0], "alpha": [0.5, 0.8]}, scoring=INLIER_AUROC, cv=cv)
    search.fit(X, y)
    for how, loaded in round_trips(search):
        assert loaded.best_params_ == search.best_params_, how
        assert_array_equal(loaded.score_samples(X), search.score_samples(X), err_msg=how)
        assert_array_equal(loaded.predict(X), search.predict(X), err_msg=how)


def test_clone_and_tuple_params(blob):
    det = fast_algan()
    det.set_params(discriminator_hidden=(8, 4), betas=(0.5, 0.99))
    params = det.get_params()
    assert params["discriminator_hidden"] == (8, 4)
    assert params["betas"] == (0.5, 0.99)
    copy = clone(det)  # clone checks that every parameter is passed through unchanged
    assert copy.get_params() == params
    scores = copy.fit(blob).score_samples(blob)
    assert np.all(np.isfinite(scores))
    # A list is as good as a tuple.
    as_list = fast_algan(discriminator_hidden=[8, 4], betas=[0.5, 0.99])
    assert_array_equal(as_list.fit(blob).score_samples(blob), scores)


@pytest.mark.parametrize(
    "name, value",
    [
        ("sigma", -1.0),
        ("sigma", 0.0),
        ("sigma", 1e39),  # beyond float32: the latents would overflow
        ("alpha", 0.0),
        ("alpha", 1.5),
        ("discriminator_hidden", (16, 0)),
        ("discriminator_hidden", ()),
        ("discriminator_hidden", (8.5,)),
        ("discriminator_hidden", 16),
        ("betas", (0.5,)),
        ("betas", (1.2, 0.9)),
        ("max_centres", 0),
        ("bandwidth", 0.0),
        ("latent_mixing", "row"),
        ("logit_bound", 0.0),
        ("calibration_fraction", 0.6),
        ("max_iter", 0),
        ("batch_size", 0),
        ("contamination", 0.7),
    ],
)
def test_algan_invalid_params_rejected_in_fit(blob, name, value):
    det = fast_algan(**{name: value})  # never in __init__
    fast_algan().set_params(**{name: value})  # nor in set_params
    with pytest.raises(ValueError, match=f"The '{name}' parameter of ALGANDetector must be"):
        det.fit(blob)
    # A failed fit leaves nothing half-fitted behind.
    with pytest.raises(NotFittedError):
        det.score_samples(blob)


def test_quiet_grid_search(capfd):
    X, y, cv = labelled_split()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = GridSearchCV(
            make_pipeline(StandardScaler(), fast_algan()),
            {"algandetector__sigma": [2.0, 4.0], "algandetector__alpha": [0.5, 1.0]},
            scoring=INLIER_AUROC,
            cv=cv,
        ).fit(X, y)
        search.score_samples(X)
    assert [str(w.message) for w in caught] == []
    assert capfd.readouterr() == ("", "")


def test_verbose_prints(blob, capfd):
    # Counterpart of the quiet tests: output is captured where the detector writes it.
    fast_algan(verbose=1).fit(blob)
    captured = capfd.readouterr()
    assert (captured.out + captured.err).strip() != ""


_LARGE_SCORING_SCRIPT = textwrap.dedent(
    """
    import gc, json, math, sys
    import numpy as np, torch
    from sklearn.neighbors import NearestNeighbors
    import algan_sklearn._networks as networks
    from algan_sklearn import ALGANDetector, KNNDetector, ZScoreDetector

    torch.set_num_threads(1)
    FAST = json.loads(sys.argv[1])

    def status(key):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024

    # Count the passes through D and through the neighbour search: a per-row loop
    # would make one call per row.
    calls = {"n": 0}
    def counted(method):
        def wrapper(*args, **kwargs):
            calls["n"] += 1
            return method(*args, **kwargs)
        return wrapper
    networks.Discriminator.forward = counted(networks.Discriminator.forward)
    NearestNeighbors.kneighbors = counted(NearestNeighbors.kneighbors)

    n_rows, n_features = 1_000_000, 20
    rng = np.random.default_rng(0)
    X = np.empty((n_rows, n_features), dtype=np.float32)
    for start in range(0, n_rows, 100_000):
        X[start : start + 100_000] = rng.standard_normal((100_000, n_features), dtype=np.float32)
    X.flags.writeable = False
    train = np.array(X[:300])

    results = {}
    for det in [ALGANDetector(**FAST), KNNDetector(), ZScoreDetector()]:
        det.fit(train)
        det.score_samples(X[:1000])  # warm-up: lazy initialisations are not scoring memory
        gc.collect()
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak resident set size (VmHWM) to the current one
        before = status("VmRSS")
        calls["n"] = 0
        scores = det.score_samples(X)
        results[type(det).__name__] = {
            "extra_peak": status("VmHWM") - before,
            "input_bytes": X.nbytes,
            "calls": calls["n"],
            "shape": list(scores.shape),
            "dtype": str(scores.dtype),
            "finite": bool(np.isfinite(scores).all()),
        }
        del scores
    print(json.dumps(results))
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux /proc to measure peak memory")
def test_large_scoring_bounded_memory_and_batched():
    # In a fresh process: torch's allocations do not show in tracemalloc, but they do
    # in the resident set size, whose peak /proc/self/status reports.
    fast = {k: list(v) if isinstance(v, tuple) else v for k, v in FAST_ALGAN.items()}
    out = subprocess.run(
        [sys.executable, "-c", _LARGE_SCORING_SCRIPT, json.dumps(fast)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(results) == {"ALGANDetector", "KNNDetector", "ZScoreDetector"}
    for name, r in results.items():
        assert r["shape"] == [1_000_000] and r["dtype"] == "float64" and r["finite"], name
        assert r["extra_peak"] < 3 * r["input_bytes"], (name, r)
        if name == "ALGANDetector":  # one pass of each of the two discriminators per scoring tile, not per row
            from algan_sklearn._networks import SCORE_TILE_ROWS

            assert 1 <= r["calls"] <= 2 * -(-1_000_000 // SCORE_TILE_ROWS), (name, r)
        elif name != "ZScoreDetector":  # no per-row loop: at least 1,000 rows per pass
            assert 1 <= r["calls"] <= 1_000, (name, r)


def test_algan_meta_device_rejected_with_a_clear_message(blob):
    with pytest.raises(ValueError, match="not supported"):
        fast_algan(device=torch.device("meta")).fit(blob)


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


def test_algan_same_random_state_same_scores_different_differs(blob):
    a = fast_algan(random_state=0).fit(blob).score_samples(blob)
    b = fast_algan(random_state=0).fit(blob).score_samples(blob)
    c = fast_algan(random_state=1).fit(blob).score_samples(blob)
    assert_array_equal(a, b)
    assert np.max(np.abs(a - c)) > 1e-3


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
        {"random_state": 3, "max_centres": 16, "bandwidth": 2.0},
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
    dirs = far_directions(X.shape[1], seed=7, n_random=40)
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
    far = X.mean(axis=0) + 50 * X.std(axis=0).max() * far_directions(3, seed=1, n_random=60)
    assert det.score_samples(far).max() < train_min


def test_score_decreases_along_rays():
    X = _correlated_data(seed=1)
    det = fast_algan().fit(X)
    for direction in far_directions(X.shape[1], seed=3, n_random=10):
        t = np.geomspace(5, 1e3, 30)[:, None] * X.std(axis=0).max()
        scores = det.score_samples(X.mean(axis=0) + t * direction)
        assert np.all(np.diff(scores[5:]) < 0), "score must fall strictly far out along every ray"
        # beyond the input clamp (1e4 standard deviations) scores tie, up to float32 rounding of
        # the clamped point (a few units in the last place of the score), and never rise further
        t = np.geomspace(1e3, 1e30, 30)[:, None] * X.std(axis=0).max()
        far = det.score_samples(X.mean(axis=0) + t * direction)
        assert np.all(np.diff(far) <= 1e-6 * np.abs(far[1:]))


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


def test_centres_are_a_bounded_random_subset_of_the_training_rows():
    X = _correlated_data(seed=6, n=400)
    a = fast_algan(max_centres=50, calibration_fraction=0).fit(X)
    b = fast_algan(max_centres=50, calibration_fraction=0).fit(X)
    assert a.generator_.n_centres == 50
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))  # the subset follows random_state
    scaled = a._scale(X)
    centres = a.generator_.centres.numpy()
    assert all(np.any(np.all(scaled == c, axis=1)) for c in centres)  # every centre is a training row
    far = X.mean(axis=0) + 1e3 * X.std(axis=0).max() * far_directions(4, seed=0, n_random=10)
    assert a.score_samples(far).max() < a.score_samples(X).min()


def _two_clusters(seed=0, n=400):
    rng = np.random.RandomState(seed)
    X = rng.normal(scale=0.3, size=(n, 3))
    X[: n // 2, 0] += 4.0
    X[n // 2 :, 0] -= 4.0
    return X


def test_kernel_generator_follows_clusters():
    X = _two_clusters()
    midway = np.zeros((1, 3))  # between the clusters: no training row within 3 units
    det = fast_algan().fit(X)
    assert det.score_samples(midway)[0] < np.percentile(det.score_samples(X), 1)
    assert det.predict(midway)[0] == -1


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
