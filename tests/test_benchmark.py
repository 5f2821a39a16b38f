"""Tests of the benchmark runner: protocol, registry, summaries, files and plot."""

import importlib.util
import math
import sys

import numpy as np
import pytest
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor

from algan_sklearn import ALGANDetector, KNNDetector, ZScoreDetector
from algan_sklearn import benchmark as bm
from algan_sklearn.plotting import plot_auroc_scatter

HAS_PYOD = importlib.util.find_spec("pyod") is not None


def _labelled(n_normal, n_anomalies, n_features=2, seed=0):
    """Normal rows near 0, anomalies far away; column 0 of X is a unique row id."""
    rng = np.random.RandomState(seed)
    X = np.vstack([rng.normal(size=(n_normal, n_features)), rng.normal(loc=8.0, size=(n_anomalies, n_features))])
    X = np.hstack([np.arange(X.shape[0], dtype=float)[:, None], X])
    y = np.r_[np.zeros(n_normal, dtype=int), np.ones(n_anomalies, dtype=int)]
    return X, y


# --------------------------------------------------------------------------- protocol


def test_novelty_split_follows_the_protocol():
    X, y = _labelled(100, 20)
    X_train, X_test, y_test = bm.novelty_split(X, y, random_state=3, scale=False)
    train_ids, test_ids = X_train[:, 0].astype(int), X_test[:, 0].astype(int)
    assert X_train.shape[0] == 60 and np.all(y[train_ids] == 0)
    assert X_test.shape[0] == 40 + 20 and y_test.sum() == 20
    assert np.array_equal(y[test_ids], y_test)
    assert not set(train_ids) & set(test_ids)
    assert set(train_ids) | set(test_ids) == set(range(120))
    # the training rows are a shuffle, not the first rows
    assert not np.array_equal(np.sort(train_ids), np.arange(60))

    again = bm.novelty_split(X, y, random_state=3, scale=False)
    other = bm.novelty_split(X, y, random_state=4, scale=False)
    assert all(np.array_equal(a, b) for a, b in zip((X_train, X_test, y_test), again))
    assert not np.array_equal(X_train, other[0])


def test_novelty_split_scales_with_training_statistics():
    X, y = _labelled(100, 20)
    X = X * [1.0, 1000.0, 0.001] + [0.0, 5e4, -3.0]
    X_raw_train, X_raw_test, _ = bm.novelty_split(X, y, random_state=0, scale=False)
    X_train, X_test, _ = bm.novelty_split(X, y, random_state=0)
    np.testing.assert_allclose(X_train.mean(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose(X_train.std(axis=0), 1.0)
    mean, std = X_raw_train.mean(axis=0), X_raw_train.std(axis=0)
    np.testing.assert_allclose(X_test, (X_raw_test - mean) / std)


def test_novelty_split_caps_train_and_subsamples_test():
    X, y = _labelled(1000, 200)
    X_train, X_test, y_test = bm.novelty_split(X, y, random_state=0, max_train=100, max_test=300, scale=False)
    assert X_train.shape[0] == 100
    # 900 remaining normal rows + 200 anomalies = 1100 > 300: both classes kept at 300/1100
    assert X_test.shape[0] == 300
    assert y_test.sum() == round(200 * 300 / 1100)
    ids = np.r_[X_train[:, 0], X_test[:, 0]]
    assert np.unique(ids).size == ids.size


def test_novelty_split_errors():
    X, y = _labelled(10, 0)
    with pytest.raises(ValueError, match="one anomaly"):
        bm.novelty_split(X, y)
    with pytest.raises(ValueError, match="only 0"):
        bm.novelty_split(X, np.full(10, 2))
    with pytest.raises(ValueError, match="one row per label"):
        bm.novelty_split(X, y[:5])


# --------------------------------------------------------------------------- registry


def test_make_detector_defaults_and_params():
    knn = bm.make_detector("knn")
    assert isinstance(knn, KNNDetector) and knn.n_neighbors == 5
    lof = bm.make_detector("LOF")
    assert isinstance(lof, LocalOutlierFactor) and lof.novelty
    forest = bm.make_detector("IsolationForest", random_state=7)
    assert isinstance(forest, IsolationForest) and forest.random_state == 7
    assert isinstance(bm.make_detector("z-score", random_state=7), ZScoreDetector)
    algan = bm.make_detector("ALGAN", random_state=2, params={"sigma": 8, "alpha": 0.3})
    assert isinstance(algan, ALGANDetector)
    assert (algan.random_state, algan.sigma, algan.alpha, algan.max_iter) == (2, 8, 0.3, ALGANDetector().max_iter)
    assert bm.make_detector("kNN", params={"n_neighbors": 10}).n_neighbors == 10


def test_make_detector_errors():
    with pytest.raises(ValueError, match="Unknown detector 'DeepSVDD'"):
        bm.make_detector("DeepSVDD")
    with pytest.raises(ValueError, match="Invalid parameter 'sigmaa'"):
        bm.make_detector("ALGAN", params={"sigmaa": 1})


def test_detector_names():
    assert bm.available_detectors()[:6] == list(bm.DEFAULT_DETECTORS)
    assert bm.resolve_detector_names("knn, ZSCORE,kNN") == ["kNN", "z-score"]
    assert bm.resolve_detector_names(["all"]) == bm.available_detectors()
    with pytest.raises(ValueError, match="No detector"):
        bm.resolve_detector_names(" , ")


def test_pyod_detectors_listed_only_with_the_extra():
    pyod_names = {"SO_GAAL", "MO_GAAL", "ALAD"}
    if HAS_PYOD:
        assert pyod_names <= set(bm.available_detectors())
        return
    assert not pyod_names & set(bm.available_detectors())
    for name in sorted(pyod_names):
        with pytest.raises(ImportError, match=r"pip install 'algan-sklearn\[pyod\]'"):
            bm.make_detector(name)
        with pytest.raises(ImportError, match="pyod"):
            bm.run_benchmark({"d": _labelled(30, 5)}, [name], seeds=[0])


@pytest.mark.parametrize("name", ["kNN", "LOF", "IForest", "z-score"])
def test_baseline_anomaly_scores_are_oriented(name):
    X, y = _labelled(200, 10, n_features=3)
    X_train, X_test, y_test = bm.novelty_split(X[:, 1:], y, random_state=0)
    result = bm.evaluate_detector(name, X_train, X_test, y_test, random_state=0)
    assert result["auroc"] == 1.0 and result["ap"] == 1.0
    assert result["fit_s"] >= 0 and result["score_ms_per_1k"] > 0


# --------------------------------------------------------------------------- run_benchmark


class _Broken(OutlierMixin, BaseEstimator):
    def fit(self, X, y=None):
        raise RuntimeError("boom\non two lines")


def test_run_benchmark_rows_and_custom_estimators():
    raw = {"a": _labelled(60, 6, seed=1), "b": _labelled(50, 5, seed=2)}
    data = {name: (X[:, 1:], y) for name, (X, y) in raw.items()}
    seen = []
    rows = bm.run_benchmark(
        data,
        ["kNN", ("kNN-10", KNNDetector(n_neighbors=10)), ("forest", IsolationForest(n_estimators=20))],
        seeds=[0, 1],
        callback=seen.append,
    )
    assert seen == rows
    assert len(rows) == 2 * 2 * 3
    assert all(list(r) == list(bm.RUN_COLUMNS) for r in rows)
    assert [r["detector"] for r in rows[:3]] == ["kNN", "kNN-10", "forest"]
    assert [(r["dataset"], r["seed"]) for r in rows[::3]] == [("a", 0), ("a", 1), ("b", 0), ("b", 1)]
    assert all(r["error"] == "" and r["auroc"] > 0.9 for r in rows)
    assert {r["auroc"] for r in rows if r["detector"].startswith("kNN")} == {1.0}
    assert rows[0]["n_train"] == 36 and rows[0]["n_test"] == 24 + 6 and rows[0]["n_features"] == 2
    # identical splits for every detector of a data set and seed
    assert len({(r["n_train"], r["n_test"]) for r in rows if r["dataset"] == "a" and r["seed"] == 0}) == 1


def test_run_benchmark_detector_params_and_seeds():
    data = [("a", *_labelled(60, 6))]
    rows = bm.run_benchmark(data, "kNN,IForest", seeds=[3], detector_params={"iforest": {"n_estimators": 5}})
    assert [r["detector"] for r in rows] == ["kNN", "IForest"]
    assert rows[0]["seed"] == 3


def test_run_benchmark_errors(capsys):
    data = {"a": _labelled(40, 4)}
    with pytest.raises(RuntimeError, match="boom"):
        bm.run_benchmark(data, [("broken", _Broken())], seeds=[0])
    rows = bm.run_benchmark(data, ["kNN", ("broken", _Broken())], seeds=[0, 1], errors="record", progress=True)
    broken = [r for r in rows if r["detector"] == "broken"]
    assert [r["error"] for r in broken] == ["RuntimeError: boom on two lines"] * 2
    assert all(math.isnan(r["auroc"]) for r in broken)
    assert "FAILED RuntimeError" in capsys.readouterr().err
    summary = {s["detector"]: s for s in bm.summarize(rows)}
    assert summary["broken"]["n_failed"] == 2 and summary["broken"]["n_sets"] == 0
    assert math.isnan(summary["broken"]["mean_auroc"])
    assert summary["kNN"]["n_failed"] == 0 and summary["kNN"]["mean_rank"] == 1.0
    with pytest.raises(ValueError, match="Data set 'empty': .*one anomaly"):
        bm.run_benchmark({"empty": _labelled(20, 0)}, ["kNN"], seeds=[0], errors="record")
    with pytest.raises(ValueError, match="errors must be"):
        bm.run_benchmark(data, ["kNN"], errors="ignore")


def test_run_benchmark_reads_a_folder(tmp_path):
    for name, seed in (("10_b", 1), ("2_a", 2)):
        X, y = _labelled(40, 4, seed=seed)
        np.savez(tmp_path / f"{name}.npz", X=X, y=y)
    rows = bm.run_benchmark(str(tmp_path), ["z-score"], seeds=[0])
    assert [r["dataset"] for r in rows] == ["2_a", "10_b"]


# --------------------------------------------------------------------------- summaries


def _row(dataset, detector, seed, auroc, ap=0.5, fit_s=1.0, score=2.0, error=""):
    return {
        "dataset": dataset,
        "detector": detector,
        "seed": seed,
        "auroc": auroc,
        "ap": ap,
        "fit_s": fit_s,
        "score_ms_per_1k": score,
        "error": error,
    }


@pytest.fixture
def hand_rows():
    # seed means: s1: kNN 0.9, ALGAN 0.4 (inverted), LOF 0.9 (tie with kNN)
    #             s2: kNN 0.6, ALGAN 0.45 (not inverted: kNN <= 0.7), LOF 0.8
    return [
        _row("s1", "kNN", 0, 0.8, fit_s=1.0),
        _row("s1", "kNN", 1, 1.0, fit_s=3.0),
        _row("s1", "ALGAN", 0, 0.3, ap=0.2, fit_s=10.0, score=1.0),
        _row("s1", "ALGAN", 1, 0.5, ap=0.4, fit_s=30.0, score=3.0),
        _row("s1", "LOF", 0, 0.9),
        _row("s1", "LOF", 1, 0.9),
        _row("s2", "kNN", 0, 0.6, fit_s=2.0),
        _row("s2", "kNN", 1, 0.6, fit_s=2.0),
        _row("s2", "ALGAN", 0, 0.45, ap=0.6, fit_s=20.0, score=2.0),
        _row("s2", "ALGAN", 1, math.nan, ap=math.nan, fit_s=math.nan, score=math.nan, error="ValueError: x"),
        _row("s2", "LOF", 0, 0.8),
        _row("s2", "LOF", 1, 0.8),
    ]


def test_per_dataset(hand_rows):
    table = {(r["dataset"], r["detector"]): r for r in bm.per_dataset(hand_rows)}
    assert list(next(iter(table.values()))) == list(bm.PER_DATASET_COLUMNS)
    assert table[("s1", "kNN")]["auroc"] == pytest.approx(0.9)
    assert table[("s1", "kNN")]["auroc_std"] == pytest.approx(0.1)
    assert table[("s1", "ALGAN")]["ap"] == pytest.approx(0.3)
    assert table[("s2", "ALGAN")]["n_seeds"] == 1 and table[("s2", "ALGAN")]["n_failed"] == 1
    assert table[("s2", "ALGAN")]["auroc"] == pytest.approx(0.45)


def test_summarize(hand_rows):
    summary = {s["detector"]: s for s in bm.summarize(hand_rows)}
    assert list(summary) == ["kNN", "ALGAN", "LOF"]
    assert list(summary["kNN"]) == list(bm.SUMMARY_COLUMNS)
    assert summary["kNN"]["mean_auroc"] == pytest.approx(0.75)
    assert summary["ALGAN"]["mean_auroc"] == pytest.approx(0.425)
    assert summary["ALGAN"]["mean_ap"] == pytest.approx(0.45)
    # ranks: s1 kNN 1.5, LOF 1.5, ALGAN 3; s2 LOF 1, kNN 2, ALGAN 3
    assert summary["kNN"]["mean_rank"] == pytest.approx(1.75)
    assert summary["LOF"]["mean_rank"] == pytest.approx(1.25)
    assert summary["ALGAN"]["mean_rank"] == pytest.approx(3.0)
    assert summary["ALGAN"]["n_inverted"] == 1
    assert summary["kNN"]["n_inverted"] == 0
    assert summary["ALGAN"]["median_fit_s"] == pytest.approx(20.0)
    assert summary["ALGAN"]["median_score_ms_per_1k"] == pytest.approx(2.0)
    assert summary["kNN"]["median_fit_s"] == pytest.approx(2.0)
    assert summary["ALGAN"]["n_failed"] == 1 and summary["ALGAN"]["n_sets"] == 2


def test_summarize_without_reference(hand_rows):
    rows = [r for r in hand_rows if r["detector"] != "kNN"]
    assert all(math.isnan(s["n_inverted"]) for s in bm.summarize(rows))
    assert bm.summarize(hand_rows, reference="LOF")[1]["n_inverted"] == 2


def test_csv_round_trip(hand_rows, tmp_path):
    path = bm.write_csv(hand_rows, tmp_path / "rows.csv")
    back = bm.read_results_csv(path)
    assert len(back) == len(hand_rows) and back[0]["seed"] == 0 and back[0]["dataset"] == "s1"
    assert back[9]["error"] == "ValueError: x" and math.isnan(back[9]["auroc"])
    for a, b in zip(bm.summarize(hand_rows), bm.summarize(back)):
        assert a.keys() == b.keys()
        for key in a:
            assert a[key] == b[key] or (math.isnan(a[key]) and math.isnan(b[key])) or a[key] == pytest.approx(b[key])


def test_as_frame(hand_rows):
    pd = pytest.importorskip("pandas")
    rows = bm.run_benchmark({"a": _labelled(40, 4)}, ["kNN"], seeds=[0], as_frame=True)
    assert isinstance(rows, pd.DataFrame) and list(rows.columns) == list(bm.RUN_COLUMNS)
    summary = bm.summarize(rows, as_frame=True)
    assert list(summary.columns) == list(bm.SUMMARY_COLUMNS) and summary.loc[0, "mean_auroc"] == 1.0
    assert list(bm.per_dataset(hand_rows, as_frame=True).columns) == list(bm.PER_DATASET_COLUMNS)


# --------------------------------------------------------------------------- plot


def test_plot_auroc_scatter(hand_rows):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    assert plot_auroc_scatter(hand_rows, ax=ax, annotate=True) is ax
    offsets = ax.collections[-1].get_offsets()
    np.testing.assert_allclose(np.asarray(offsets), [[0.9, 0.4], [0.6, 0.45]])
    assert "ALGAN" in ax.get_ylabel() and "kNN" in ax.get_xlabel()
    with pytest.raises(ValueError, match="No data set"):
        plot_auroc_scatter(hand_rows, x="kNN", y="IForest", ax=ax)


def test_plot_needs_matplotlib(hand_rows, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"algan-sklearn\[plot\]"):
        plot_auroc_scatter(hand_rows)


def test_machine_info():
    info = bm.machine_info()
    assert info["cpu_count"] >= 1 and info["torch_threads"] >= 1
