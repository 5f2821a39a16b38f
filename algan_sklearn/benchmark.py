"""Benchmark runner: the novelty protocol of the project's benchmark, reusable from Python.

The protocol (``docs/BENCHMARK.md`` of the project), applied to every data set and
seed:

1. Shuffle the normal rows with the seed; train on the first 60% of them, at most
   10,000 rows.
2. Test on the remaining normal rows (every normal row not used for training)
   plus all anomalies; when that is more than 10,000 rows, subsample normal rows
   and anomalies by the same fraction (same seed).
3. Fit a :class:`~sklearn.preprocessing.StandardScaler` on the training rows and
   apply it to both sets, so every detector sees the same inputs.
4. Report AUROC and average precision with the anomaly as the positive class,
   the fit time in seconds and the scoring time in milliseconds per 1,000 rows.

Summaries per detector: mean AUROC and AP over data sets (each the mean over
seeds), mean rank of the AUROC per data set (1 = best), the number of
"inverted" sets (AUROC below 0.5 where kNN is above 0.7), and the median fit and
scoring times.

Only numpy, scipy and scikit-learn are needed. pandas is used only when a
function is asked for a DataFrame (``as_frame=True``); matplotlib only by
:func:`plot_auroc_scatter`.
"""

import csv
import importlib
import importlib.util
import inspect
import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.neighbors import LocalOutlierFactor

from . import ALGANDetector, GaussianMixtureDetector, KNNDetector, ZScoreDetector
from .datasets import iter_adbench_dir
from .model_selection import novelty_split

__all__ = [
    "DEFAULT_DETECTORS",
    "PER_DATASET_COLUMNS",
    "RUN_COLUMNS",
    "SUMMARY_COLUMNS",
    "available_detectors",
    "evaluate_detector",
    "machine_info",
    "make_detector",
    "novelty_split",
    "per_dataset",
    "plot_auroc_scatter",
    "read_results_csv",
    "resolve_detector_names",
    "run_benchmark",
    "summarize",
    "write_csv",
]

#: Detectors run when none are named: ALGAN and the baselines of the benchmark.
DEFAULT_DETECTORS = ("ALGAN", "kNN", "LOF", "IForest", "z-score", "GMM")

#: Columns of the per-run rows returned by :func:`run_benchmark`.
RUN_COLUMNS = (
    "dataset",
    "detector",
    "seed",
    "n_train",
    "n_test",
    "n_test_anomalies",
    "n_features",
    "auroc",
    "ap",
    "fit_s",
    "score_ms_per_1k",
    "error",
)

#: Columns of the rows returned by :func:`per_dataset`.
PER_DATASET_COLUMNS = (
    "dataset",
    "detector",
    "n_seeds",
    "auroc",
    "auroc_std",
    "ap",
    "fit_s",
    "score_ms_per_1k",
    "n_failed",
)

#: Columns of the rows returned by :func:`summarize`.
SUMMARY_COLUMNS = (
    "detector",
    "n_sets",
    "mean_auroc",
    "mean_ap",
    "mean_rank",
    "n_inverted",
    "median_fit_s",
    "median_score_ms_per_1k",
    "n_failed",
)

# Protocol constants (docs/BENCHMARK.md).
INVERTED_BELOW = 0.5
REFERENCE_ABOVE = 0.7
REFERENCE_DETECTOR = "kNN"


# --------------------------------------------------------------------------- registry


def _neg_score_samples(estimator, X):
    return -np.asarray(estimator.score_samples(X), dtype=np.float64)


def _decision_function(estimator, X):
    return np.asarray(estimator.decision_function(X), dtype=np.float64).ravel()


def _accepts(cls, name):
    try:
        return name in inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class _DetectorSpec:
    """How to build a named detector and turn its output into an anomaly score."""

    name: str
    description: str
    module: str = None  # module to import the class from (optional dependencies)
    attr: str = None
    extra: str = None  # pip extra that provides ``module``

    def load_class(self):
        if self.module is None:
            return _BUILTIN_CLASSES[self.name]
        if importlib.util.find_spec(self.module.split(".")[0]) is None:
            raise ImportError(
                f"The {self.name} detector needs the optional dependency "
                f"'{self.module.split('.')[0]}': pip install 'algan-sklearn[{self.extra}]'"
            )
        return getattr(importlib.import_module(self.module), self.attr)

    def available(self):
        return self.module is None or importlib.util.find_spec(self.module.split(".")[0]) is not None

    def build(self, random_state, params):
        cls = self.load_class()
        kwargs = dict(_BUILTIN_DEFAULTS.get(self.name, {}))
        if random_state is not None and _accepts(cls, "random_state"):
            kwargs["random_state"] = random_state
        if self.module is not None and _accepts(cls, "verbose"):
            kwargs["verbose"] = 0
        estimator = cls(**kwargs)
        if params:
            estimator.set_params(**params)
        return estimator

    def anomaly_score(self, estimator, X):
        # scikit-learn style: score_samples is higher for normal rows. PyOD:
        # decision_function is documented as higher for outliers; it is used as it
        # comes, without checking its orientation (the GAN detectors' is not consistent).
        if self.module is None:
            return _neg_score_samples(estimator, X)
        return _decision_function(estimator, X)


_BUILTIN_CLASSES = {
    "ALGAN": ALGANDetector,
    "kNN": KNNDetector,
    "LOF": LocalOutlierFactor,
    "IForest": IsolationForest,
    "z-score": ZScoreDetector,
    "GMM": GaussianMixtureDetector,
}

_BUILTIN_DEFAULTS = {
    "kNN": {"n_neighbors": 5},
    "LOF": {"novelty": True},
}

_SPECS = {
    spec.name: spec
    for spec in (
        _DetectorSpec("ALGAN", "ALGANDetector with default parameters, random_state=seed"),
        _DetectorSpec("kNN", "KNNDetector(n_neighbors=5): distance to the 5th nearest training row"),
        _DetectorSpec("LOF", "sklearn LocalOutlierFactor(novelty=True), defaults"),
        _DetectorSpec("IForest", "sklearn IsolationForest(random_state=seed), defaults"),
        _DetectorSpec("z-score", "ZScoreDetector: mean squared z-score over features"),
        _DetectorSpec("GMM", "GaussianMixtureDetector: full covariance, 1-10 components by AIC, random_state=seed"),
        _DetectorSpec(
            "SO_GAAL", "PyOD SO_GAAL, defaults; decision_function as it comes", "pyod.models.so_gaal", "SO_GAAL", "pyod"
        ),
        _DetectorSpec(
            "MO_GAAL", "PyOD MO_GAAL, defaults; decision_function as it comes", "pyod.models.mo_gaal", "MO_GAAL", "pyod"
        ),
        _DetectorSpec("ALAD", "PyOD ALAD, defaults; decision_function as it comes", "pyod.models.alad", "ALAD", "pyod"),
    )
}

_ALIASES = {
    "algan": "ALGAN",
    "knn": "kNN",
    "lof": "LOF",
    "iforest": "IForest",
    "isolationforest": "IForest",
    "z-score": "z-score",
    "zscore": "z-score",
    "gmm": "GMM",
    "gaussianmixture": "GMM",
    "so_gaal": "SO_GAAL",
    "so-gaal": "SO_GAAL",
    "mo_gaal": "MO_GAAL",
    "mo-gaal": "MO_GAAL",
    "alad": "ALAD",
}


def _canonical_name(name):
    key = str(name).strip().lower()
    if key not in _ALIASES:
        raise ValueError(f"Unknown detector {name!r}; known detectors: {', '.join(_SPECS)}.")
    return _ALIASES[key]


def available_detectors():
    """Names of the detectors that can run in this environment.

    The PyOD GAN detectors (``'SO_GAAL'``, ``'MO_GAAL'``, ``'ALAD'``) are listed
    only when PyOD is installed (``pip install 'algan-sklearn[pyod]'``).

    Returns
    -------
    names : list of str
        In the order ALGAN, kNN, LOF, IForest, z-score, GMM, then the PyOD detectors.
    """
    return [name for name, spec in _SPECS.items() if spec.available()]


def resolve_detector_names(names):
    """Canonical detector names from a comma-separated string or an iterable.

    Matching is case-insensitive and accepts aliases (``'IsolationForest'``,
    ``'zscore'``); ``'all'`` stands for :func:`available_detectors`.

    Parameters
    ----------
    names : str or iterable of str

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        For an unknown name or an empty list.
    ImportError
        For a known detector whose optional dependency is missing.
    """
    if isinstance(names, str):
        names = [n for n in names.split(",") if n.strip()]
    out = []
    for name in names:
        if str(name).strip().lower() == "all":
            resolved = available_detectors()
        else:
            canonical = _canonical_name(name)
            _SPECS[canonical].load_class()  # ImportError naming the extra when missing
            resolved = [canonical]
        out.extend(n for n in resolved if n not in out)
    if not out:
        raise ValueError("No detector given.")
    return out


def make_detector(name, *, random_state=None, params=None):
    """Build a benchmark detector by name, unfitted.

    Parameters
    ----------
    name : str
        One of :func:`available_detectors` (case-insensitive): ``'ALGAN'``
        (:class:`~algan_sklearn.ALGANDetector`, default parameters), ``'kNN'``
        (:class:`~algan_sklearn.KNNDetector` with ``n_neighbors=5``), ``'LOF'``
        (:class:`~sklearn.neighbors.LocalOutlierFactor` with ``novelty=True``),
        ``'IForest'`` (:class:`~sklearn.ensemble.IsolationForest`), ``'z-score'``
        (:class:`~algan_sklearn.ZScoreDetector`), or with PyOD installed
        ``'SO_GAAL'``, ``'MO_GAAL'``, ``'ALAD'``.
    random_state : int or None, default=None
        Passed to detectors that take a ``random_state``.
    params : dict or None, default=None
        Extra parameters set with ``set_params`` after construction, overriding
        the benchmark's defaults (e.g. ``{"sigma": 8}`` for ALGAN).

    Returns
    -------
    estimator : object
        The unfitted detector.

    Raises
    ------
    ValueError
        For an unknown detector or parameter name.
    ImportError
        When the detector's optional dependency is not installed.

    Examples
    --------
    >>> from algan_sklearn.benchmark import make_detector
    >>> make_detector("kNN")
    KNNDetector()
    >>> make_detector("ALGAN", random_state=0, params={"sigma": 4.0})
    ALGANDetector(random_state=0, sigma=4.0)
    """
    return _SPECS[_canonical_name(name)].build(random_state, params)


# --------------------------------------------------------------------------- protocol


class _Candidate:
    """A detector of a run: a label, a way to build it per seed, and its scoring rule."""

    def __init__(self, label, spec=None, estimator=None, params=None):
        self.label = label
        self.spec = spec
        self.estimator = estimator
        self.params = params

    def build(self, seed):
        if self.spec is not None:
            return self.spec.build(seed, self.params)
        est = clone(self.estimator)
        if "random_state" in est.get_params(deep=False):
            est.set_params(random_state=seed)
        return est

    def anomaly_score(self, est, X):
        if self.spec is not None:
            return self.spec.anomaly_score(est, X)
        if hasattr(est, "score_samples"):
            return _neg_score_samples(est, X)
        return _decision_function(est, X)


def _candidates(detectors, detector_params):
    params = {}
    for name, p in (detector_params or {}).items():
        if not isinstance(p, dict):
            raise TypeError(f"Parameters of detector {name!r} must be a dict, got {type(p).__name__}.")
        params[_canonical_name(name)] = dict(p)
    if isinstance(detectors, dict):
        items = list(detectors.items())
    else:
        if isinstance(detectors, str):
            detectors = [detectors]
        items = []
        for d in detectors:
            if isinstance(d, str):
                items.extend((n, n) for n in resolve_detector_names(d) if (n, n) not in items)
            else:
                items.append(tuple(d))
    out = []
    for label, what in items:
        if isinstance(what, str):
            name = _canonical_name(what)
            spec = _SPECS[name]
            spec.load_class()
            out.append(_Candidate(label if label != what else name, spec=spec, params=params.get(name)))
        else:
            out.append(_Candidate(str(label), estimator=what))
    labels = [c.label for c in out]
    if len(set(labels)) != len(labels):
        raise ValueError(f"Detector labels must be unique, got {labels}.")
    if not out:
        raise ValueError("No detector given.")
    return out


def evaluate_detector(detector, X_train, X_test, y_test, *, random_state=None, params=None):
    """Fit one detector on normal rows and measure it on a labelled test set.

    Parameters
    ----------
    detector : str or estimator
        A benchmark name (see :func:`make_detector`) or an unfitted outlier
        detector (cloned; its ``random_state`` is set when it has one). The
        anomaly score is ``-score_samples`` for scikit-learn style detectors and
        ``decision_function`` for PyOD ones (and for estimators without
        ``score_samples``).
    X_train : ndarray of shape (n_train, n_features)
    X_test : ndarray of shape (n_test, n_features)
    y_test : ndarray of shape (n_test,)
        1 = anomaly.
    random_state : int or None, default=None
    params : dict or None, default=None
        Extra parameters of a named detector.

    Returns
    -------
    result : dict
        ``auroc``, ``ap`` (average precision, anomaly = positive class),
        ``fit_s`` (seconds), ``score_ms_per_1k`` (milliseconds per 1,000 test
        rows) and the fitted ``estimator``.

    Raises
    ------
    ValueError
        If the anomaly scores are not all finite.
    """
    if isinstance(detector, str):
        name = _canonical_name(detector)
        cand = _Candidate(name, spec=_SPECS[name], params=params)
    else:
        cand = _Candidate(type(detector).__name__, estimator=detector)
    return _evaluate(cand, random_state, X_train, X_test, y_test)


def _evaluate(cand, seed, X_train, X_test, y_test):
    est = cand.build(seed)
    t0 = time.perf_counter()
    est.fit(X_train)
    t1 = time.perf_counter()
    scores = cand.anomaly_score(est, X_test)
    t2 = time.perf_counter()
    if scores.shape != (X_test.shape[0],) or not np.isfinite(scores).all():
        raise ValueError(
            f"{cand.label} returned {np.size(scores) - np.isfinite(scores).sum()} non-finite anomaly scores "
            f"(shape {scores.shape}) on {X_test.shape[0]} test rows."
        )
    return {
        "auroc": float(roc_auc_score(y_test, scores)),
        "ap": float(average_precision_score(y_test, scores)),
        "fit_s": t1 - t0,
        "score_ms_per_1k": (t2 - t1) * 1e6 / X_test.shape[0],
        "estimator": est,
    }


def _iter_datasets(datasets):
    if isinstance(datasets, (str, os.PathLike)):
        yield from iter_adbench_dir(datasets)
    elif isinstance(datasets, dict):
        for name, (X, y) in datasets.items():
            yield str(name), X, y
    else:
        for item in datasets:
            name, X, y = item
            yield str(name), X, y


def _n_datasets(datasets):
    if isinstance(datasets, (str, os.PathLike)):
        from .datasets import list_adbench_dir

        return len(list_adbench_dir(datasets))
    try:
        return len(datasets)
    except TypeError:
        return None


def run_benchmark(
    datasets,
    detectors=DEFAULT_DETECTORS,
    *,
    seeds=(0, 1, 2),
    detector_params=None,
    errors="raise",
    callback=None,
    progress=False,
    as_frame=False,
):
    """Run detectors on data sets with the benchmark's novelty protocol.

    For every data set and seed the split of :func:`novelty_split` is made once
    and shared by all detectors; each detector is then built with
    ``random_state=seed`` (where it takes one), fitted on the training rows and
    scored on the test rows.

    Parameters
    ----------
    datasets : str, path-like, dict or iterable
        A folder of ADBench-style ``.npz`` files (see
        :func:`~algan_sklearn.datasets.iter_adbench_dir`), a dict
        ``{name: (X, y)}``, or an iterable of ``(name, X, y)`` triples. ``y`` is
        1 for anomalies, 0 for normal rows.
    detectors : str, iterable or dict, default=DEFAULT_DETECTORS
        Benchmark names (a list, or one comma-separated string; ``'all'`` means
        :func:`available_detectors`), ``(label, estimator)`` pairs, or a dict
        ``{label: name_or_estimator}``. Estimators are cloned for every run.
    seeds : iterable of int, default=(0, 1, 2)
        Seeds of the splits and of the detectors.
    detector_params : dict or None, default=None
        Extra parameters of named detectors, e.g. ``{"ALGAN": {"sigma": 8}}``.
    errors : {'raise', 'record'}, default='raise'
        What to do when a detector fails on a data set: re-raise, or record the
        run with NaN metrics and the message in its ``error`` field.
    callback : callable or None, default=None
        Called as ``callback(row)`` after every run (e.g. to append it to a file).
    progress : bool, default=False
        Print one line per run to stderr.
    as_frame : bool, default=False
        Return a :class:`pandas.DataFrame` (needs pandas) instead of a list.

    Returns
    -------
    rows : list of dict or DataFrame
        One row per data set, seed and detector with the fields of
        :data:`RUN_COLUMNS`: ``dataset``, ``detector``, ``seed``, ``n_train``,
        ``n_test``, ``n_test_anomalies``, ``n_features``, ``auroc``, ``ap``,
        ``fit_s``, ``score_ms_per_1k`` and ``error`` (empty when the run succeeded).

    See Also
    --------
    per_dataset : seed means per data set and detector.
    summarize : one summary row per detector.

    Examples
    --------
    >>> from algan_sklearn.benchmark import run_benchmark, summarize
    >>> from algan_sklearn.datasets import load_breast_cancer_sklearn
    >>> rows = run_benchmark({"breast": load_breast_cancer_sklearn()}, ["kNN", "z-score"], seeds=[0])
    >>> [(r["detector"], round(r["auroc"], 2)) for r in rows]  # doctest: +SKIP
    [('kNN', 0.97), ('z-score', 0.95)]
    >>> [s["detector"] for s in summarize(rows)]
    ['kNN', 'z-score']
    """
    if errors not in ("raise", "record"):
        raise ValueError(f"errors must be 'raise' or 'record', got {errors!r}.")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("No seed given.")
    cands = _candidates(detectors, detector_params)
    n_sets = _n_datasets(datasets)
    total = n_sets * len(seeds) * len(cands) if n_sets is not None else None
    rows = []
    for name, X, y in _iter_datasets(datasets):
        for seed in seeds:
            try:
                X_train, X_test, y_test = novelty_split(X, y, random_state=seed)
            except ValueError as exc:
                raise ValueError(f"Data set {name!r}: {exc}") from None
            base = {
                "dataset": name,
                "seed": seed,
                "n_train": int(X_train.shape[0]),
                "n_test": int(X_test.shape[0]),
                "n_test_anomalies": int(y_test.sum()),
                "n_features": int(X_train.shape[1]),
            }
            for cand in cands:
                row = {"dataset": name, "detector": cand.label, **base}
                try:
                    result = _evaluate(cand, seed, X_train, X_test, y_test)
                    error = ""
                except Exception as exc:
                    if errors == "raise":
                        raise
                    result = {"auroc": math.nan, "ap": math.nan, "fit_s": math.nan, "score_ms_per_1k": math.nan}
                    error = " ".join(f"{type(exc).__name__}: {exc}".split())
                row.update({k: result[k] for k in ("auroc", "ap", "fit_s", "score_ms_per_1k")})
                row["error"] = error
                row = {k: row[k] for k in RUN_COLUMNS}
                rows.append(row)
                if progress:
                    _print_progress(row, len(rows), total)
                if callback is not None:
                    callback(row)
    return _as_frame(rows, RUN_COLUMNS) if as_frame else rows


def _print_progress(row, i, total):
    count = f"[{i}/{total}]" if total else f"[{i}]"
    if row["error"]:
        status = f"FAILED {row['error']}"
    else:
        status = f"AUROC {row['auroc']:.3f}  AP {row['ap']:.3f}  fit {row['fit_s']:.2f} s"
    print(f"{count} {row['dataset']} seed {row['seed']} {row['detector']}: {status}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- summaries


def _finite(values):
    return [float(v) for v in values if v is not None and v != "" and math.isfinite(float(v))]


def _mean(values):
    values = _finite(values)
    return float(np.mean(values)) if values else math.nan


def _median(values):
    values = _finite(values)
    return float(np.median(values)) if values else math.nan


def _rows(rows):
    """Accept a list of dicts or a DataFrame."""
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):
        return rows.to_dict("records")
    return list(rows)


def _failed(row):
    err = row.get("error", "")
    return isinstance(err, str) and err != ""


def per_dataset(rows, *, as_frame=False):
    """Seed means per data set and detector.

    Parameters
    ----------
    rows : list of dict or DataFrame
        Per-run rows, as returned by :func:`run_benchmark` or
        :func:`read_results_csv`.
    as_frame : bool, default=False
        Return a :class:`pandas.DataFrame` (needs pandas).

    Returns
    -------
    table : list of dict or DataFrame
        One row per data set and detector, in order of first appearance, with
        the fields of :data:`PER_DATASET_COLUMNS`: ``n_seeds`` (successful runs),
        the mean and standard deviation of AUROC over them, the mean AP, the
        median fit and scoring times, and ``n_failed`` (runs that raised).
        Metrics are NaN when every seed failed.
    """
    groups = {}
    for row in _rows(rows):
        groups.setdefault((row["dataset"], row["detector"]), []).append(row)
    table = []
    for (dataset, detector), runs in groups.items():
        ok = [r for r in runs if not _failed(r)]
        aurocs = _finite(r["auroc"] for r in ok)
        table.append(
            {
                "dataset": dataset,
                "detector": detector,
                "n_seeds": len(ok),
                "auroc": _mean(aurocs),
                "auroc_std": float(np.std(aurocs)) if aurocs else math.nan,
                "ap": _mean(r["ap"] for r in ok),
                "fit_s": _median(r["fit_s"] for r in ok),
                "score_ms_per_1k": _median(r["score_ms_per_1k"] for r in ok),
                "n_failed": len(runs) - len(ok),
            }
        )
    return _as_frame(table, PER_DATASET_COLUMNS) if as_frame else table


def summarize(rows, *, reference=REFERENCE_DETECTOR, as_frame=False):
    """One summary row per detector, as in the benchmark's reports.

    Parameters
    ----------
    rows : list of dict or DataFrame
        Per-run rows, as returned by :func:`run_benchmark` or
        :func:`read_results_csv`.
    reference : str, default='kNN'
        Detector against which "inverted" sets are counted.
    as_frame : bool, default=False
        Return a :class:`pandas.DataFrame` (needs pandas).

    Returns
    -------
    summary : list of dict or DataFrame
        One row per detector with the fields of :data:`SUMMARY_COLUMNS`:

        - ``n_sets``: data sets with at least one successful run;
        - ``mean_auroc``, ``mean_ap``: means over those data sets of the seed means;
        - ``mean_rank``: mean over data sets of the rank of the detector's seed-mean
          AUROC among the detectors with a result on that set (1 = best, ties
          share the average rank);
        - ``n_inverted``: data sets where the detector's AUROC is below 0.5 while
          the reference's is above 0.7 (NaN when the reference was not run);
        - ``median_fit_s``, ``median_score_ms_per_1k``: medians over all
          successful runs (data sets and seeds);
        - ``n_failed``: runs that raised an error.
    """
    rows = _rows(rows)
    table = per_dataset(rows)
    detectors = list(dict.fromkeys(r["detector"] for r in table))
    datasets = list(dict.fromkeys(r["dataset"] for r in table))
    auroc = {(r["dataset"], r["detector"]): r["auroc"] for r in table}
    ap = {(r["dataset"], r["detector"]): r["ap"] for r in table}

    ranks = {}
    for ds in datasets:
        present = [d for d in detectors if math.isfinite(auroc.get((ds, d), math.nan))]
        if present:
            for d, rk in zip(present, rankdata([-auroc[(ds, d)] for d in present], method="average")):
                ranks[(ds, d)] = float(rk)

    has_ref = reference in detectors
    summary = []
    for det in detectors:
        sets = [ds for ds in datasets if math.isfinite(auroc.get((ds, det), math.nan))]
        if has_ref:
            n_inverted = sum(
                1
                for ds in sets
                if auroc[(ds, det)] < INVERTED_BELOW and auroc.get((ds, reference), math.nan) > REFERENCE_ABOVE
            )
        else:
            n_inverted = math.nan
        runs = [r for r in rows if r["detector"] == det]
        ok = [r for r in runs if not _failed(r)]
        summary.append(
            {
                "detector": det,
                "n_sets": len(sets),
                "mean_auroc": _mean(auroc[(ds, det)] for ds in sets),
                "mean_ap": _mean(ap[(ds, det)] for ds in sets),
                "mean_rank": _mean(ranks[(ds, det)] for ds in sets),
                "n_inverted": n_inverted,
                "median_fit_s": _median(r["fit_s"] for r in ok),
                "median_score_ms_per_1k": _median(r["score_ms_per_1k"] for r in ok),
                "n_failed": len(runs) - len(ok),
            }
        )
    return _as_frame(summary, SUMMARY_COLUMNS) if as_frame else summary


def _as_frame(rows, columns):
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("as_frame=True needs pandas: pip install pandas") from None
    return pd.DataFrame(rows, columns=list(columns))


# --------------------------------------------------------------------------- files and plots


def write_csv(rows, path, *, columns=None):
    """Write rows (dicts) to a CSV file with a header, without pandas.

    Parameters
    ----------
    rows : list of dict or DataFrame
    path : str or path-like
    columns : sequence of str or None, default=None
        Column order; by default the keys of the first row.

    Returns
    -------
    path : pathlib.Path
    """
    rows = _rows(rows)
    if columns is None:
        columns = list(rows[0]) if rows else []
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _parse_cell(value):
    if value == "":
        return ""
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def read_results_csv(path):
    """Read a CSV written by :func:`write_csv` (or the CLI) back into rows.

    Numeric cells become ``int`` or ``float`` (``'nan'`` becomes NaN); others
    stay strings, so the result can be passed to :func:`summarize`,
    :func:`per_dataset` or :func:`plot_auroc_scatter`.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    rows : list of dict
    """
    with open(path, newline="", encoding="utf-8") as f:
        rows = [{k: _parse_cell(v) for k, v in row.items()} for row in csv.DictReader(f)]
    for row in rows:
        for key in ("dataset", "detector", "error"):
            if key in row and not isinstance(row[key], str):
                row[key] = str(row[key])
    return rows


def plot_auroc_scatter(rows, *, x="kNN", y="ALGAN", ax=None, annotate=False):
    """Scatter plot of per-data-set AUROC of two detectors, with the diagonal.

    Points above the diagonal are data sets where ``y`` beats ``x``. The shaded
    corner marks "inverted" sets (``y`` below 0.5 while ``x`` is above 0.7).

    Parameters
    ----------
    rows : list of dict or DataFrame
        Per-run rows, as returned by :func:`run_benchmark`.
    x, y : str, default='kNN', 'ALGAN'
        Detector labels for the horizontal and vertical axes.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure is made with :mod:`matplotlib.pyplot` if None.
    annotate : bool, default=False
        Write the data set names next to the points.

    Returns
    -------
    ax : matplotlib Axes

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install 'algan-sklearn[plot]'``).
    ValueError
        If no data set has results for both detectors.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(
            "plot_auroc_scatter needs matplotlib, which is not installed: pip install 'algan-sklearn[plot]'"
        ) from None
    table = per_dataset(rows)
    by = {(r["dataset"], r["detector"]): r["auroc"] for r in table}
    names = [
        ds
        for ds in dict.fromkeys(r["dataset"] for r in table)
        if math.isfinite(by.get((ds, x), math.nan)) and math.isfinite(by.get((ds, y), math.nan))
    ]
    if not names:
        raise ValueError(f"No data set has AUROC results for both {x!r} and {y!r}.")
    xs = np.array([by[(ds, x)] for ds in names])
    ys = np.array([by[(ds, y)] for ds in names])
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 5))
    ax.fill_between([REFERENCE_ABOVE, 1.0], 0.0, INVERTED_BELOW, color="tab:red", alpha=0.08, lw=0)
    ax.plot([0, 1], [0, 1], color="0.5", lw=1, ls="--")
    ax.scatter(xs, ys, s=22, color="tab:blue", zorder=3)
    if annotate:
        for ds, xv, yv in zip(names, xs, ys):
            ax.annotate(ds, (xv, yv), fontsize=6, xytext=(3, 2), textcoords="offset points")
    lo = min(0.0, float(xs.min()), float(ys.min()))
    ax.set_xlim(lo, 1.0)
    ax.set_ylim(lo, 1.0)
    ax.set_aspect("equal")
    ax.set_xlabel(f"{x} AUROC (mean {xs.mean():.3f})")
    ax.set_ylabel(f"{y} AUROC (mean {ys.mean():.3f})")
    ax.set_title(f"{y} vs {x}: per data set AUROC, {len(names)} sets; {int((ys > xs).sum())} above diagonal")
    ax.title.set_fontsize(9)
    return ax


def machine_info():
    """Describe the machine and thread settings, for timing reports.

    Returns
    -------
    info : dict
        ``cpu_count`` (cores usable by this process where known), ``torch_threads``,
        ``python``, ``platform``, and the versions of torch, scikit-learn and numpy.
    """
    import sklearn
    import torch

    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count()
    return {
        "cpu_count": cpus,
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "torch": torch.__version__,
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
    }
