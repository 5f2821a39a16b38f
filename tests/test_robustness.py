"""Bad and awkward input, determinism and persistence: the fault kinds of the robustness issue.

Each section is one fault kind, numbered as in the issue; every test runs over the three
detectors unless the behaviour is ALGAN's own.
"""

import io
import json
import os
import pickle
import subprocess
import sys
import textwrap
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from conftest import FAST_ALGAN, fast_algan
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from test_detectors import INLIER_AUROC, labelled_split

import algan_sklearn._base as base_module
from algan_sklearn import ALGANDetector, KNNDetector, ZScoreDetector


def assert_finite_scores(scores, n):
    assert scores.shape == (n,)
    assert scores.dtype == np.float64
    assert np.all(np.isfinite(scores))


def probe_rows(n_features, seed=1):
    """Rows to score: near the data, farther out, and far away."""
    rng = np.random.RandomState(seed)
    return np.vstack(
        [rng.normal(size=(5, n_features)), 5 * rng.normal(size=(5, n_features)), np.full((1, n_features), 50.0)]
    )


# ---------------------------------------------------------------------------- 1. degenerate data


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


# ---------------------------------------------------------------------------- 2. tiny data


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


# ---------------------------------------------------------------------------- 3. dtypes and containers


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


# ---------------------------------------------------------------------------- 4. shape errors


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


# ---------------------------------------------------------------------------- 5. NaN and inf


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


# ---------------------------------------------------------------------------- 6. labels passed to fit


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


# ---------------------------------------------------------------------------- 7. determinism


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


# ---------------------------------------------------------------------------- 8. persistence


def _round_trips(obj):
    yield "pickle", pickle.loads(pickle.dumps(obj))
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    buffer.seek(0)
    yield "joblib", joblib.load(buffer)


def test_unfitted_round_trip_can_be_fitted(detector, blob):
    reference = clone(detector).fit(blob).score_samples(blob)
    for how, loaded in _round_trips(detector):
        assert loaded.get_params() == detector.get_params(), how
        with pytest.raises(NotFittedError):
            loaded.score_samples(blob)
        assert_array_equal(loaded.fit(blob).score_samples(blob), reference, err_msg=how)


def test_fitted_detector_and_pipeline_round_trips(detector, blob):
    X_new = probe_rows(4)
    for fitted in (clone(detector).fit(blob), make_pipeline(StandardScaler(), clone(detector)).fit(blob)):
        for how, loaded in _round_trips(fitted):
            assert_array_equal(loaded.score_samples(X_new), fitted.score_samples(X_new), err_msg=how)
            assert_array_equal(loaded.decision_function(X_new), fitted.decision_function(X_new), err_msg=how)
            assert_array_equal(loaded.predict(X_new), fitted.predict(X_new), err_msg=how)
            # A loaded fitted detector can be refitted, to the same model.
            assert_array_equal(clone(loaded).fit(blob).score_samples(X_new), fitted.score_samples(X_new))


def test_fitted_grid_search_round_trip():
    X, y, cv = labelled_split()
    search = GridSearchCV(fast_algan(), {"sigma": [2.0, 4.0], "alpha": [0.5, 0.8]}, scoring=INLIER_AUROC, cv=cv)
    search.fit(X, y)
    for how, loaded in _round_trips(search):
        assert loaded.best_params_ == search.best_params_, how
        assert_array_equal(loaded.score_samples(X), search.score_samples(X), err_msg=how)
        assert_array_equal(loaded.predict(X), search.predict(X), err_msg=how)


# ---------------------------------------------------------------------------- 9. scikit-learn semantics


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
        ("device", "tpu"),
        ("discriminator_hidden", (16, 0)),
        ("discriminator_hidden", ()),
        ("discriminator_hidden", (8.5,)),
        ("discriminator_hidden", 16),
        ("betas", (0.5,)),
        ("betas", (1.2, 0.9)),
        ("n_components", 0),
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


@pytest.mark.parametrize("contamination", ["auto", 0.1])
def test_fit_predict_equals_fit_then_predict(detector, blob, contamination):
    detector.set_params(contamination=contamination)
    labels = clone(detector).fit_predict(blob)
    assert_array_equal(labels, clone(detector).fit(blob).predict(blob))
    assert labels.dtype.kind == "i"
    assert set(np.unique(labels)) <= {-1, 1}
    if contamination != "auto":
        assert np.sum(labels == -1) == round(contamination * len(blob))
    pipe = make_pipeline(StandardScaler(), detector)
    assert_array_equal(clone(pipe).fit_predict(blob), clone(pipe).fit(blob).predict(blob))


# ---------------------------------------------------------------------------- 10. quiet by default


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


# ---------------------------------------------------------------------------- 11. large scoring jobs

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
        if name != "ZScoreDetector":  # no per-row loop: at least 1,000 rows per pass
            assert 1 <= r["calls"] <= 1_000, (name, r)


# ---------------------------------------------------------------------------- validation gaps (issue 12, kind 7)


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


def test_knn_n_jobs_zero_rejected_by_parameter_validation(blob):
    with pytest.raises(ValueError, match="'n_jobs' parameter of KNNDetector"):
        KNNDetector(n_jobs=0).fit(blob)


def test_algan_meta_device_rejected_with_a_clear_message(blob):
    with pytest.raises(ValueError, match="not supported"):
        fast_algan(device=torch.device("meta")).fit(blob)
