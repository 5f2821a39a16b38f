"""What every detector of the package must do (as in scikit-learn's ``sklearn/tests/test_common.py``).

Each test runs over :func:`conftest.make_detectors` through the ``detector`` fixture: degenerate and tiny data,
containers and dtypes, shape and value errors, determinism, persistence, scikit-learn semantics, score sign.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import FAST_ALGAN, assert_finite_scores, far_directions, probe_rows, round_trips
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from algan_sklearn import ALGANDetector


def test_all_rows_identical(detector, no_warnings):
    X = np.tile([[1.0, -2.0, 3.0]], (40, 1))
    detector.fit(X)
    same = detector.score_samples(X[:3])
    other = detector.score_samples(probe_rows(3))
    assert_finite_scores(same, 3)
    assert_finite_scores(other, 11)
    # The training row itself is the most normal row there is.
    assert other.max() < same.min()
    assert_array_equal(detector.predict(X[:3]), 1)


def test_constant_columns_and_different_constant_at_scoring(detector, blob, no_warnings):
    X = blob.copy()
    X[:, 1] = 7.0
    X[:, 3] = 0.0
    detector.fit(X)
    train = detector.score_samples(X)
    assert_finite_scores(train, len(X))
    shifted = X[:20].copy()
    shifted[:, 1] = 7.5
    shifted[:, 3] = -1e6
    scores = detector.score_samples(shifted)
    assert_finite_scores(scores, 20)
    # Leaving the constant value is abnormal.
    assert np.all(scores < detector.score_samples(X[:20]))


@pytest.mark.parametrize("n_rows", [1, 2])
def test_fit_on_one_or_two_rows(detector, blob, n_rows, no_warnings):
    detector.fit(blob[:n_rows])
    scores = detector.score_samples(probe_rows(4))
    assert_finite_scores(scores, 11)
    if n_rows == 1:
        # One row: every column is constant (``_constant.py``), so every other value is
        # unseen; the probes, off in all four columns, tie below the training row.
        assert_array_equal(detector.predict(probe_rows(4)), -1)
        assert_array_equal(detector.predict(blob[:1]), 1)
        return
    assert np.unique(scores).size > 1
    if isinstance(detector, ALGANDetector):
        assert detector.n_iter_ == FAST_ALGAN["max_iter"]
        assert len(detector.history_["loss_d"]) >= 1


@pytest.mark.parametrize("n_rows", [10, FAST_ALGAN["batch_size"] + 1], ids=["fewer-than-batch", "batch-plus-one"])
def test_fit_on_rows_around_batch_size(detector, blob, n_rows, no_warnings):
    detector.fit(blob[:n_rows])
    scores = detector.score_samples(blob)
    assert_finite_scores(scores, len(blob))
    assert np.unique(scores).size > 1
    if isinstance(detector, ALGANDetector):
        assert detector.n_iter_ == FAST_ALGAN["max_iter"]
        assert np.all(np.isfinite(detector.history_["loss_d"]))
        assert np.all(np.isfinite(detector.history_["loss_g"]))


def test_one_row_scoring_matches_batch_scoring(detector, blob):
    detector.fit(blob)
    full = detector.score_samples(blob)
    one_by_one = np.array([detector.score_samples(blob[i : i + 1])[0] for i in range(0, len(blob), 20)])
    assert_allclose(one_by_one, full[::20], rtol=1e-12, atol=1e-12)
    assert detector.predict(blob[:1]).shape == (1,)


def _containers(X64, tmp_path):
    """The same values as ``X64`` in every container and dtype a user may pass."""
    read_only = X64.copy()
    read_only.flags.writeable = False
    path = tmp_path / "X.npy"
    np.save(path, X64)
    memmap = np.load(path, mmap_mode="r")
    frame = pd.DataFrame(
        {
            "small_int": X64[:, 0].astype(np.int8),
            "float32": X64[:, 1].astype(np.float32),
            "nullable_int": pd.array(X64[:, 2].astype(np.int64), dtype="Int64"),
            "float64": X64[:, 3],
        }
    )
    return {
        "int64": X64.astype(np.int64),
        "int32": X64.astype(np.int32),
        "float16": X64.astype(np.float16),
        "float64": X64,
        "fortran": np.asfortranarray(X64),
        "read-only": read_only,
        "memmap": memmap,
        "list": X64.tolist(),
        "mixed-dtype DataFrame": frame,
    }


def test_containers_and_dtypes_give_the_same_scores(detector, tmp_path, no_warnings):
    # Integer-valued data, so that every container and dtype holds the same numbers.
    X64 = np.random.RandomState(0).randint(-20, 20, size=(120, 4)).astype(np.float64)
    reference = clone(detector).fit(X64).score_samples(X64)
    for name, X in _containers(X64, tmp_path).items():
        before = X.copy() if hasattr(X, "copy") else [row[:] for row in X]
        det = clone(detector).fit(X)
        scores = det.score_samples(X)
        assert scores.dtype == np.float64, name
        # Equal up to the summation order of the column means (memory layout).
        assert_allclose(scores, reference, rtol=1e-10, atol=1e-12, err_msg=name)
        # The input is never modified.
        if isinstance(X, pd.DataFrame):
            pd.testing.assert_frame_equal(X, before)
        else:
            assert_array_equal(np.asarray(X), np.asarray(before), err_msg=name)


def test_float32_input_close_to_float64(detector, blob, no_warnings):
    X32 = blob.astype(np.float32)
    X64 = X32.astype(np.float64)  # the very same numbers
    s32 = clone(detector).fit(X32).score_samples(X32)
    s64 = clone(detector).fit(X64).score_samples(X64)
    assert s32.dtype == np.float64
    assert_allclose(s32, s64, rtol=1e-4, atol=1e-4)
    # float32 scoring of a float64 fit, too.
    det = clone(detector).fit(X64)
    assert_allclose(det.score_samples(X32), det.score_samples(X64), rtol=1e-4, atol=1e-4)


def test_input_arrays_not_modified(detector, blob):
    X = blob.copy()
    X32 = blob[:50].astype(np.float32)
    X32_copy = X32.copy()
    detector.fit(X)
    detector.score_samples(X32)
    detector.predict(X)
    assert_array_equal(X, blob)
    assert_array_equal(X32, X32_copy)


@pytest.mark.parametrize("contamination", ["auto", 0.1])
def test_feature_names_kept_from_dataframes(detector, blob, contamination, no_warnings):
    # no_warnings: fit must not score its own validated array as if it lacked names.
    detector.set_params(contamination=contamination)
    columns = ["age", "income", "ratio", "kelvin"]
    frame = pd.DataFrame(blob, columns=columns)
    detector.fit(frame)
    assert_array_equal(detector.feature_names_in_, columns)
    assert detector.n_features_in_ == 4
    reference = clone(detector).fit(blob)
    assert_allclose(detector.score_samples(frame), reference.score_samples(blob), rtol=1e-10, atol=1e-12)
    assert_allclose(detector.offset_, reference.offset_, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="feature names should match"):
        detector.score_samples(frame[columns[::-1]])


def test_wrong_number_of_features_at_scoring(detector, blob):
    detector.fit(blob)
    name = type(detector).__name__
    message = f"X has 3 features, but {name} is expecting 4 features as input"
    for method in ("score_samples", "decision_function", "predict"):
        with pytest.raises(ValueError, match=message):
            getattr(detector, method)(blob[:, :3])


def test_one_dimensional_input(detector, blob):
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array instead"):
        clone(detector).fit(blob[:, 0])
    detector.fit(blob)
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array instead"):
        detector.score_samples(blob[0])


def test_empty_input(detector, blob):
    name = type(detector).__name__
    with pytest.raises(
        ValueError, match=rf"0 sample\(s\) \(shape=\(0, 4\)\) while a minimum of 1 is required by {name}"
    ):
        clone(detector).fit(np.empty((0, 4)))
    with pytest.raises(ValueError, match=r"0 feature\(s\)"):
        clone(detector).fit(np.empty((5, 0)))
    detector.fit(blob)
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        detector.score_samples(np.empty((0, 4)))


@pytest.mark.parametrize("bad, message", [(np.nan, "NaN"), (np.inf, "infinity"), (-np.inf, "infinity")])
def test_nan_and_inf_rejected_at_fit_and_scoring(detector, blob, bad, message):
    X = blob.copy()
    X[7, 2] = bad
    with pytest.raises(ValueError, match=message):
        clone(detector).fit(X)
    detector.fit(blob)
    for method in ("score_samples", "decision_function", "predict"):
        with pytest.raises(ValueError, match=message):
            getattr(detector, method)(X)


def test_huge_finite_values_give_finite_scores(detector, blob, no_warnings):
    big = np.finfo(np.float64).max
    rows = np.array([[big, -big, big, 0.0], [1e200, 1e200, -1e200, 1e200], [1e155, 0.0, 0.0, 0.0]])
    detector.fit(blob)
    scores = detector.score_samples(rows)
    assert_finite_scores(scores, 3)
    assert scores.max() < detector.score_samples(blob).min()
    f32 = np.array([[np.finfo(np.float32).max, 0, 0, -np.finfo(np.float32).max]], dtype=np.float32)
    assert_finite_scores(detector.score_samples(f32), 1)


@pytest.mark.parametrize(
    "y",
    [
        np.ones(200),
        -np.ones(200, dtype=int),
        np.r_[np.ones(150), -np.ones(50)],
        np.array(["normal"] * 200),
        np.full(200, np.nan),
        np.random.RandomState(0).normal(size=(200, 3)),
        np.zeros(7),
    ],
    ids=["ones", "minus-ones", "two-classes", "strings", "nan", "2-D", "wrong-length"],
)
def test_labels_passed_to_fit_are_ignored(detector, blob, y):
    reference = clone(detector).fit(blob)
    fitted = clone(detector).fit(blob, y)
    assert_array_equal(fitted.score_samples(blob), reference.score_samples(blob))
    assert fitted.offset_ == reference.offset_
    assert_array_equal(clone(detector).fit_predict(blob, y), reference.predict(blob))


def test_global_seeds_do_not_change_results(detector, blob):
    np.random.seed(1)
    torch.manual_seed(1)
    a = clone(detector).fit(blob).score_samples(blob)
    np.random.seed(2)
    torch.manual_seed(2)
    np.random.normal(size=10)
    torch.rand(10)
    b = clone(detector).fit(blob).score_samples(blob)
    assert_array_equal(a, b)


@pytest.mark.parametrize("random_state", [0, np.random.RandomState(0), None], ids=["int", "RandomState", "None"])
def test_global_rng_states_unchanged_by_fit_and_scoring(detector, blob, random_state):
    """Neither numpy's nor torch's global generator is read or changed, also with None."""
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
    if hasattr(detector, "sample"):
        detector.sample(5, random_state=random_state)
    after = np.random.get_state()
    assert after[0] == np_state[0]
    assert_array_equal(after[1], np_state[1])
    assert after[2:] == np_state[2:]
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_unfitted_round_trip_can_be_fitted(detector, blob):
    reference = clone(detector).fit(blob).score_samples(blob)
    for how, loaded in round_trips(detector):
        assert loaded.get_params() == detector.get_params(), how
        with pytest.raises(NotFittedError):
            loaded.score_samples(blob)
        assert_array_equal(loaded.fit(blob).score_samples(blob), reference, err_msg=how)


def test_fitted_detector_and_pipeline_round_trips(detector, blob):
    X_new = probe_rows(4)
    for fitted in (clone(detector).fit(blob), make_pipeline(StandardScaler(), clone(detector)).fit(blob)):
        for how, loaded in round_trips(fitted):
            assert_array_equal(loaded.score_samples(X_new), fitted.score_samples(X_new), err_msg=how)
            assert_array_equal(loaded.decision_function(X_new), fitted.decision_function(X_new), err_msg=how)
            assert_array_equal(loaded.predict(X_new), fitted.predict(X_new), err_msg=how)
            assert (
                loaded[-1].offset_ == fitted[-1].offset_
                if hasattr(fitted, "steps")
                else loaded.offset_ == fitted.offset_
            )
            assert_array_equal(loaded.score_samples(blob), fitted.score_samples(blob), err_msg=how)
            # A loaded fitted detector can be refitted, to the same model.
            assert_array_equal(clone(loaded).fit(blob).score_samples(X_new), fitted.score_samples(X_new))


def test_clone_gives_unfitted_copy_with_equal_params(detector, blob):
    detector.fit(blob)
    copy = clone(detector)
    assert copy.get_params() == detector.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(copy)
    with pytest.raises(NotFittedError):
        copy.score_samples(blob)


@pytest.mark.parametrize("contamination", ["auto", 0.1])
def test_fit_predict_equals_fit_then_predict(detector, blob, contamination):
    detector.set_params(contamination=contamination)
    labels = clone(detector).fit_predict(blob)
    assert_array_equal(labels, clone(detector).fit(blob).predict(blob))
    assert labels.dtype.kind == "i"
    assert set(np.unique(labels)) <= {-1, 1}
    if contamination != "auto":
        # without held-out rows, scikit-learn's convention: that share of the training rows is flagged
        no_held_out = clone(detector).set_params(calibration_fraction=0)
        assert np.sum(no_held_out.fit_predict(blob) == -1) == round(contamination * len(blob))
    pipe = make_pipeline(StandardScaler(), detector)
    assert_array_equal(clone(pipe).fit_predict(blob), clone(pipe).fit(blob).predict(blob))


def test_quiet_by_default(detector, blob, capfd):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        detector.fit(blob)
        detector.score_samples(blob)
        detector.decision_function(blob)
        detector.predict(blob)
        detector.fit_predict(blob)
    assert [str(w.message) for w in caught] == []
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("column", ["when", "lag", "month"])
def test_time_columns_rejected_with_their_name(detector, column):
    pd = pytest.importorskip("pandas")
    n = 60
    df = pd.DataFrame(
        {
            "x": np.arange(n, dtype=float),
            "when": pd.date_range("2020-01-01", periods=n),
            "lag": pd.to_timedelta(np.arange(n), unit="s"),
            "month": pd.period_range("2020-01", periods=n, freq="M"),
        }
    )[["x", column]]
    with pytest.raises(ValueError, match=f"Column '{column}' has dtype"):
        detector.fit(df)


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


def test_threshold_carries_over_to_new_rows(detector):
    """contamination=0.05 flags about 5% of new rows drawn like the training rows."""
    rng = np.random.RandomState(0)
    cov = np.array([[1.0, 0.8, 0.0], [0.8, 1.0, 0.3], [0.0, 0.3, 1.0]])
    X = rng.multivariate_normal(np.zeros(3), cov, size=1500)
    new = rng.multivariate_normal(np.zeros(3), cov, size=4000)
    detector.set_params(contamination=0.05).fit(X)
    assert 0.02 <= np.mean(detector.predict(new) == -1) <= 0.10
