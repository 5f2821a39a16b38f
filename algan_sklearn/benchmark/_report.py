"""Summaries of benchmark runs (on pandas), and the CSV files they come from."""

import math
import os
import platform

import numpy as np

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

# Protocol constants (the protocol: algan_sklearn/benchmark/__init__.py).
INVERTED_BELOW = 0.5
REFERENCE_ABOVE = 0.7
REFERENCE_DETECTOR = "kNN"


def _pandas():
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("benchmark summaries need pandas: pip install 'algan-sklearn[benchmarks]'") from None
    return pd


def _as_frame(rows, columns):
    return _pandas().DataFrame(list(rows), columns=list(columns))


def _runs(rows):
    """Per-run rows (list of dicts or DataFrame) as a DataFrame, failed runs marked."""
    pd = _pandas()
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if "error" not in frame:
        frame["error"] = ""
    frame["error"] = frame["error"].fillna("").astype(str)
    for column in ("auroc", "ap", "fit_s", "score_ms_per_1k"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame["ok"] = frame["error"] == ""
    return frame


def _records(frame, as_frame):
    if as_frame:
        return frame.reset_index(drop=True)
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in frame.to_dict("records")]


def per_dataset(rows, *, as_frame=False):
    """Seed means per data set and detector.

    Parameters
    ----------
    rows : list of dict or DataFrame
        Per-run rows, as returned by :func:`run_benchmark` or
        :func:`read_results_csv`.
    as_frame : bool, default=False
        Return a :class:`pandas.DataFrame` instead of a list of dicts.

    Returns
    -------
    table : list of dict or DataFrame
        One row per data set and detector, in order of first appearance, with
        the fields of :data:`PER_DATASET_COLUMNS`: ``n_seeds`` (successful runs),
        the mean and standard deviation of AUROC over them, the mean AP, the
        median fit and scoring times, and ``n_failed`` (runs that raised).
        Metrics are NaN when every seed failed.
    """
    frame = _runs(rows)
    keys = ["dataset", "detector"]
    every = frame.groupby(keys, sort=False).size()
    good = frame[frame["ok"]].groupby(keys, sort=False)
    table = (
        _pandas()
        .DataFrame(
            {
                "n_seeds": good.size(),
                "auroc": good["auroc"].mean(),
                "auroc_std": good["auroc"].std(ddof=0),
                "ap": good["ap"].mean(),
                "fit_s": good["fit_s"].median(),
                "score_ms_per_1k": good["score_ms_per_1k"].median(),
            }
        )
        .reindex(every.index)
    )
    table["n_seeds"] = table["n_seeds"].fillna(0).astype(int)
    table["n_failed"] = (every - table["n_seeds"]).astype(int)
    return _records(table.reset_index()[list(PER_DATASET_COLUMNS)], as_frame)


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
        Return a :class:`pandas.DataFrame` instead of a list of dicts.

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
    runs = _runs(rows)
    table = per_dataset(runs, as_frame=True)
    detectors = list(dict.fromkeys(table["detector"]))
    auroc = table.pivot(index="dataset", columns="detector", values="auroc")[detectors]
    ap = table.pivot(index="dataset", columns="detector", values="ap")[detectors].where(auroc.notna())
    ranks = auroc.rank(axis=1, ascending=False, method="average")
    if reference in detectors:
        inverted = auroc.lt(INVERTED_BELOW).mul(auroc[reference].gt(REFERENCE_ABOVE), axis=0).sum()
    else:
        inverted = _pandas().Series(math.nan, index=detectors)
    good = runs[runs["ok"]].groupby("detector", sort=False)
    summary = _pandas().DataFrame(
        {
            "detector": detectors,
            "n_sets": auroc.notna().sum().to_numpy(),
            "mean_auroc": auroc.mean().to_numpy(),
            "mean_ap": ap.mean().to_numpy(),
            "mean_rank": ranks.mean().to_numpy(),
            "n_inverted": inverted[detectors].to_numpy(),
            "median_fit_s": good["fit_s"].median().reindex(detectors).to_numpy(),
            "median_score_ms_per_1k": good["score_ms_per_1k"].median().reindex(detectors).to_numpy(),
            "n_failed": (~runs["ok"]).groupby(runs["detector"], sort=False).sum().reindex(detectors).to_numpy(),
        }
    )
    if reference in detectors:
        summary["n_inverted"] = summary["n_inverted"].astype(int)
    return _records(summary, as_frame)


def write_csv(rows, path, *, columns=None):
    """Write rows (dicts or a DataFrame) to a CSV file with a header.

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
    from pathlib import Path

    frame = rows if isinstance(rows, _pandas().DataFrame) else _pandas().DataFrame(list(rows))
    if columns is not None:
        frame = frame.reindex(columns=list(columns))
    frame.to_csv(path, index=False)
    return Path(path)


def read_results_csv(path):
    """Read a CSV written by :func:`write_csv` (or the CLI) back into rows.

    Numeric cells become numbers (``'nan'`` becomes NaN); ``dataset``,
    ``detector`` and ``error`` stay strings, so the result can be passed to
    :func:`summarize`, :func:`per_dataset` or :func:`~algan_sklearn.plotting.plot_auroc_scatter`.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    rows : list of dict
    """
    frame = _pandas().read_csv(path, dtype={"dataset": str, "detector": str, "error": str})
    for key in ("dataset", "detector", "error"):
        if key in frame:
            frame[key] = frame[key].fillna("")
    return _records(frame, as_frame=False)


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
