"""The benchmark protocol: split, fit, score and measure every detector on every data set and seed."""

import math
import os
import sys
import time

import numpy as np
from sklearn.base import clone
from sklearn.metrics import average_precision_score, roc_auc_score

from ..datasets import iter_adbench_dir
from ..model_selection import novelty_split
from ._registry import _SPECS, _canonical_name, _decision_function, _neg_score_samples, resolve_detector_names
from ._report import RUN_COLUMNS, _as_frame

#: Detectors run when none are named: ALGAN and the baselines of the benchmark.
DEFAULT_DETECTORS = ("ALGAN", "kNN", "LOF", "IForest", "z-score", "GMM")


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
        from ..datasets import list_adbench_dir

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

    For every data set and seed the split of :func:`~algan_sklearn.model_selection.novelty_split` is made once
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
