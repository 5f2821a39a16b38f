"""The trade-off that chose ``max_centres``: centres, mean AUROC and scoring time.

For each number of centres: the quick harness on all 31 classical sets (seed 0, other
parameters at their defaults; per-set rows in ``benchmarks/results/centres_<m>.csv``),
and the median time of scoring 10,000 queries of 20 features against a model of 10,000
training rows (one thread), next to kNN's (k=5) on the same queries. Summary:
``benchmarks/results/centres_tradeoff.csv``. Run it alone: it times things.

Usage (from the repository root)::

    python benchmarks/bench_centres.py --centres 128,256,512,1024,2048,4096
"""

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import quick_harness
import torch

from algan_sklearn import ALGANDetector, KNNDetector

RESULTS = Path(__file__).resolve().parent / "results"


def _median_time(fn, repeats=15):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--centres", default="128,256,512,1024,2048,4096")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    rng = np.random.RandomState(0)
    X, Q = rng.normal(size=(10_000, 20)), rng.normal(size=(10_000, 20))
    knn = KNNDetector(calibration_fraction=0).fit(X)
    t_knn = _median_time(lambda: knn.score_samples(Q))
    rows = []
    for m in [int(c) for c in args.centres.split(",")]:
        per_set = RESULTS / f"centres_{m}.csv"
        quick_harness.main([f'{{"max_centres": {m}}}', "--all", "--output", str(per_set)])
        with open(per_set) as fh:
            aucs = [float(r["auroc_algan"]) for r in csv.DictReader(fh)]
            fh.seek(0)
            log_n = [float(r["auroc_log_density"]) for r in csv.DictReader(fh)]
        det = ALGANDetector(max_centres=m, max_iter=50, random_state=0).fit(X)
        t = _median_time(lambda det=det: det.score_samples(Q))
        rows.append([m, f"{np.mean(aucs):.4f}", f"{np.mean(log_n):.4f}", f"{t:.4f}", f"{t_knn:.4f}", f"{t_knn / t:.1f}"])
        print(rows[-1], flush=True)
    with open(RESULTS / "centres_tradeoff.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["max_centres", "mean_auroc", "mean_auroc_log_n", "score_10k_s", "knn_score_10k_s", "speedup_vs_knn"])
        w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
