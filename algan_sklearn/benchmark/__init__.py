"""Benchmark runner: the novelty protocol of the project's benchmark, reusable from Python.

The protocol (its results: the documentation's benchmark results page,
``docs/benchmark_results.rst``), applied to every data set and seed:

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

The runner needs numpy and scikit-learn; the summaries (:func:`per_dataset`,
:func:`summarize`) are built on pandas (the ``benchmarks`` extra:
``pip install 'algan-sklearn[benchmarks]'``). Plots are in
:mod:`algan_sklearn.plotting`. Where things live: ``_registry.py`` (the named
detectors), ``_runner.py`` (the protocol), ``_report.py`` (summaries and files).
"""

from ..model_selection import novelty_split
from ._registry import available_detectors, make_detector, resolve_detector_names
from ._report import (
    PER_DATASET_COLUMNS,
    RUN_COLUMNS,
    SUMMARY_COLUMNS,
    machine_info,
    per_dataset,
    read_results_csv,
    summarize,
    write_csv,
)
from ._runner import DEFAULT_DETECTORS, evaluate_detector, run_benchmark

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
    "read_results_csv",
    "resolve_detector_names",
    "run_benchmark",
    "summarize",
    "write_csv",
]
