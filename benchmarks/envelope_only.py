"""AUROC of ALGANDetector's fixed envelope alone: the Mahalanobis distance (Ledoit-Wolf).

Same splits and scaling as the benchmark runner; shows how much of ALGAN's ranking the
Gaussian envelope explains and what the trained network part adds. Usage::

    python benchmarks/envelope_only.py classical        # writes benchmarks/results/classical_envelope_only.csv
    python benchmarks/envelope_only.py mvtec_resnet18
"""

import sys
import time
from pathlib import Path

from sklearn.covariance import LedoitWolf
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.preprocessing import StandardScaler

from algan_sklearn import benchmark as bm
from algan_sklearn.datasets import iter_adbench_dir

REPO = Path(__file__).resolve().parents[1]


def main(suite):
    rows = []
    for name, X, y in iter_adbench_dir(REPO.parent / "shared" / "datasets" / "adbench" / suite):
        for seed in (0, 1, 2):
            X_train, X_test, y_test = bm.novelty_split(X, y, random_state=seed)[:3]
            t0 = time.perf_counter()
            scaler = StandardScaler().fit(X_train)  # as ALGANDetector(scaling='standard') does
            cov = LedoitWolf().fit(scaler.transform(X_train))
            fit_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            anomaly = cov.mahalanobis(scaler.transform(X_test))
            score_s = time.perf_counter() - t0
            rows.append(
                {
                    "dataset": name,
                    "detector": "Mahalanobis (envelope only)",
                    "seed": seed,
                    "n_train": X_train.shape[0],
                    "n_test": X_test.shape[0],
                    "n_test_anomalies": int(y_test.sum()),
                    "n_features": X.shape[1],
                    "auroc": roc_auc_score(y_test, anomaly),
                    "ap": average_precision_score(y_test, anomaly),
                    "fit_s": fit_s,
                    "score_ms_per_1k": 1e6 * score_s / X_test.shape[0],
                    "error": "",
                }
            )
    out = REPO / "benchmarks" / "results" / f"{suite}_envelope_only.csv"
    bm.write_csv(rows, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1])
