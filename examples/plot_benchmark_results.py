"""
=========================================
Benchmark results: ALGAN against kNN
=========================================

Per-data-set AUROC of :class:`~algan_sklearn.ALGANDetector` against the
k-nearest-neighbour baseline (:class:`~algan_sklearn.KNNDetector`, k = 5),
under the novelty protocol of :mod:`algan_sklearn.benchmark`: train on normal
rows, test on held-out normal rows and all anomalies, inputs standardised on
the training rows.

The figure reads the committed results in ``benchmarks/results/`` (one CSV of
per-run rows per suite, written by ``benchmarks/run_adbench.py``) when they are
there. Without them it runs the benchmark on the breast cancer data that ship
with scikit-learn, which takes a few seconds.

Each point is a data set (mean over seeds); points above the diagonal are data
sets where ALGAN ranks the anomalies better than kNN. The shaded corner marks
"inverted" results: ALGAN below 0.5 (worse than chance) where kNN is above 0.7.
"""

import os
from pathlib import Path

import matplotlib.pyplot as plt

from algan_sklearn.benchmark import per_dataset, read_results_csv, run_benchmark, summarize
from algan_sklearn.datasets import load_breast_cancer_sklearn
from algan_sklearn.plotting import plot_auroc_scatter

FAST = os.environ.get("ALGAN_FAST", "") not in ("", "0")  # tests run the examples with ALGAN_FAST=1

try:
    HERE = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs the examples from their folder, without __file__
    HERE = Path.cwd()
RESULTS = HERE.parent / "benchmarks" / "results"
SUITES = {"classical": "ADBench classical (tabular)", "mvtec_resnet18": "MVTec AD, ResNet-18 features"}

# %%
# Load the results, or run the small benchmark
# --------------------------------------------
# A results file has one row per data set, seed and detector
# (:data:`~algan_sklearn.benchmark.RUN_COLUMNS`);
# :func:`~algan_sklearn.benchmark.read_results_csv` reads it back.


def usable(rows):
    """True when some data set has a finite AUROC for both ALGAN and kNN."""
    pairs = {(r["dataset"], r["detector"]) for r in per_dataset(rows) if r["auroc"] == r["auroc"]}
    return any((name, "ALGAN") in pairs and (name, "kNN") in pairs for name, _ in pairs)


results = {}
for suite, title in SUITES.items():
    path = RESULTS / f"{suite}.csv"
    rows = read_results_csv(path) if path.is_file() else []
    if rows and usable(rows):
        results[title] = rows
if not results:
    params = {"ALGAN": {"max_iter": 30}} if FAST else None
    rows = run_benchmark(
        {"breast_cancer": load_breast_cancer_sklearn()}, ["ALGAN", "kNN"], seeds=[0, 1, 2], detector_params=params
    )
    results = {"scikit-learn breast cancer (no committed results found)": rows}

# %%
# One scatter plot per suite
# --------------------------
fig, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 5.5), squeeze=False)
for ax, (title, rows) in zip(axes[0], results.items()):
    plot_auroc_scatter(rows, x="kNN", y="ALGAN", ax=ax, annotate=True)
    ax.set_title(f"{title}\n{ax.get_title()}", fontsize=9)
fig.tight_layout()

# %%
# The numbers
# -----------
# :func:`~algan_sklearn.benchmark.summarize` gives one row per detector: mean
# AUROC and average precision over data sets, mean rank, the number of
# inverted sets and the median times; :func:`~algan_sklearn.benchmark.per_dataset`
# the seed means per data set.
for title, rows in results.items():
    print(title)
    for s in summarize(rows):
        if s["detector"] in ("ALGAN", "kNN"):
            print(
                f"  {s['detector']:6s} mean AUROC {s['mean_auroc']:.3f}  mean AP {s['mean_ap']:.3f}  "
                f"inverted sets {s['n_inverted']}  median fit {s['median_fit_s']:.2f} s"
            )
    table = {(r["dataset"], r["detector"]): r["auroc"] for r in per_dataset(rows)}
    for name in dict.fromkeys(d for d, _ in table):
        algan, knn = (table.get((name, det), float("nan")) for det in ("ALGAN", "kNN"))
        print(f"  {name:24s} ALGAN {algan:.3f}  kNN {knn:.3f}")

plt.show()
