"""False discovery rate of conformal p-values with Benjamini-Hochberg on real data sets.

For each data set and seed 0..19: the benchmark's novelty split (``novelty_split``);
ALGAN with its own held-out rows (``calibration_fraction=0.1``, default) and the kNN
and z-score baselines wrapped in ``ConformalDetector(calibration_fraction=0.2)``;
p-values of the test rows; rows flagged by Benjamini-Hochberg at FDR 0.1. Records the
realised FDR (false flags / flags, 0 when nothing is flagged) and the power (flagged
anomalies / anomalies), and per set the mean over seeds.

Usage (data from ``../shared/datasets/adbench/classical``)::

    python benchmarks/bench_fdr.py --output benchmarks/results/fdr.csv
"""

import argparse
from pathlib import Path

import numpy as np

from algan_sklearn import ALGANDetector, KNNDetector, ZScoreDetector
from algan_sklearn.benchmark import write_csv
from algan_sklearn.conformal import ConformalDetector, benjamini_hochberg
from algan_sklearn.model_selection import novelty_split

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "adbench" / "classical"
SETS = ("4_breastw", "38_thyroid", "22_magic.gamma")
MAKERS = {
    "ALGAN": lambda seed: ALGANDetector(random_state=seed),
    "kNN": lambda seed: ConformalDetector(KNNDetector(), calibration_fraction=0.2, random_state=seed),
    "z-score": lambda seed: ConformalDetector(ZScoreDetector(), calibration_fraction=0.2, random_state=seed),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--alpha", type=float, default=0.1)
    parser.add_argument("--output")
    args = parser.parse_args(argv)
    rows = []
    for name in SETS:
        data = np.load(DATA / f"{name}.npz")
        for seed in range(args.seeds):
            X_train, X_test, y_test = novelty_split(data["X"], data["y"], random_state=seed)
            for detector, make in MAKERS.items():
                flagged = benjamini_hochberg(make(seed).fit(X_train).pvalues(X_test), args.alpha)
                false = int((flagged & (y_test == 0)).sum())
                rows.append(
                    {
                        "dataset": name,
                        "seed": seed,
                        "detector": detector,
                        "n_flagged": int(flagged.sum()),
                        "fdr": false / max(1, int(flagged.sum())),
                        "power": float(flagged[y_test == 1].mean()),
                    }
                )
        for detector in MAKERS:
            mine = [r for r in rows if r["dataset"] == name and r["detector"] == detector]
            print(
                f"{name:16s} {detector:8s} mean FDR {np.mean([r['fdr'] for r in mine]):.3f}  "
                f"power {np.mean([r['power'] for r in mine]):.3f}",
                flush=True,
            )
    if args.output:
        write_csv(rows, args.output)


if __name__ == "__main__":
    main()
