"""Cost goals of issue 19, measured on this machine (run it alone: it times things).

* ``fit``: ALGANDetector at default parameters on 10,000 x 20 Gaussian rows, on
  200 x 1,000 rows (the size of one MVTec-AD category's embeddings, with 1,000 features)
  and on 300 x 30 rows, median of ``--repeats`` fits, ``n_jobs=None`` (one thread) and
  ``n_jobs=-1``;
* ``score``: 10,000 queries of 20 features against a model of 10,000 training rows, and
  150 queries of 1,000 features against a model of 200 rows: ALGANDetector against
  KNNDetector (k=5, all training rows), median of 20 back-to-back calls after one
  untimed call, and the speed-up ``t_kNN / t_ALGAN``.

Usage (from the repository root)::

    python benchmarks/bench_goals.py --output benchmarks/results/cost_goals.csv
"""

import argparse
import csv
import os
import statistics
import sys
import time

import numpy as np
import torch

from algan_sklearn import ALGANDetector, KNNDetector


def _median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), max(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output")
    args = parser.parse_args(argv)
    rng = np.random.RandomState(0)
    rows = []
    for shape in [(10_000, 20), (200, 1_000), (300, 30)]:
        X = rng.normal(size=shape)
        for n_jobs in (None, -1):
            med, lo, hi = _median_time(lambda: ALGANDetector(random_state=0, n_jobs=n_jobs).fit(X), args.repeats)
            rows.append(["fit", f"{shape[0]}x{shape[1]}", str(n_jobs), f"{med:.3f}", f"{lo:.3f}", f"{hi:.3f}", ""])
            print(rows[-1], flush=True)
    for (n_train, n_query, d), label in (((10_000, 10_000, 20), "score 10k queries"), ((200, 150, 1_000), "score 150 queries")):
        X = rng.normal(size=(n_train, d))
        Q = rng.normal(size=(n_query, d))
        algan = ALGANDetector(random_state=0, max_iter=50).fit(X)  # scoring cost does not depend on max_iter
        knn = KNNDetector(n_neighbors=5, calibration_fraction=0).fit(X)
        timings = {}
        for name, det in (("ALGANDetector", algan), ("KNNDetector", knn)):
            det.score_samples(Q)
            timings[name] = _median_time(lambda det=det: det.score_samples(Q), 20)
        speedup = timings["KNNDetector"][0] / timings["ALGANDetector"][0]
        for name, (med, lo, hi) in timings.items():
            row = [label, f"{n_train}x{d}", "None", f"{med:.4f}", f"{lo:.4f}", f"{hi:.4f}"]
            rows.append([*row, f"{speedup:.1f}" if name == "ALGANDetector" else "1.0"])
            print(name, rows[-1], flush=True)
    print(f"machine: {os.cpu_count()} cores, torch {torch.__version__}, load {os.getloadavg()}")
    if args.output:
        with open(args.output, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["what", "shape", "n_jobs", "median_s", "min_s", "max_s", "speedup_vs_knn"])
            w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
