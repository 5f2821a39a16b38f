"""Seed stability of ALGAN on the breast cancer data (issue 19, item 4).

ALGAN's AUROC over 5 model seeds on one novelty split (split seed 0) against kNN's
AUROC over 5 split seeds (kNN has no model seed): the spread (max - min) and the
standard deviation of each. Benign tumours are the normal class, malignant ones the
anomalies; split and scaling as in the benchmark protocol.

Usage (from the repository root)::

    python benchmarks/bench_seed_stability.py --output benchmarks/results/seed_stability.csv
"""

import argparse
import csv
import sys

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score

from algan_sklearn import ALGANDetector, KNNDetector
from algan_sklearn.model_selection import novelty_split


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output")
    args = parser.parse_args(argv)
    X, y = load_breast_cancer(return_X_y=True)
    y = (y == 0).astype(int)  # malignant = anomaly
    rows = []
    X_train, X_test, y_test = novelty_split(X, y, random_state=0)
    for seed in range(5):
        auc = roc_auc_score(y_test, -ALGANDetector(random_state=seed).fit(X_train).score_samples(X_test))
        rows.append(["ALGAN", "model seed", seed, auc])
    for seed in range(5):
        X_train, X_test, y_test = novelty_split(X, y, random_state=seed)
        auc = roc_auc_score(y_test, -KNNDetector(calibration_fraction=0).fit(X_train).score_samples(X_test))
        rows.append(["kNN", "split seed", seed, auc])
    for name in ("ALGAN", "kNN"):
        aucs = np.array([r[3] for r in rows if r[0] == name])
        print(f"{name:6s} AUROC {aucs.round(4)}  spread {np.ptp(aucs):.4f}  std {aucs.std():.4f}")
    if args.output:
        with open(args.output, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["detector", "varied", "seed", "auroc"])
            w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
