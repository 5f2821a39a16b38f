"""AUROC of ALGANDetector's fixed envelope alone, without the trained network part.

Same splits and scaling as the benchmark runner, and the package's own envelope code
(``_envelope`` and ``Discriminator.envelope_term``, with the seed ``fit`` would use):
shows how much of ALGAN's ranking the envelope explains and what adversarial training
adds. Usage::

    python benchmarks/envelope_only.py classical            # 'gmm' envelope (the default)
    python benchmarks/envelope_only.py classical gaussian   # Mahalanobis (Ledoit-Wolf)
    python benchmarks/envelope_only.py mvtec_resnet18

Writes ``benchmarks/results/<suite>_envelope_only.csv`` (``'gmm'``) or
``<suite>_envelope_only_<kind>.csv``.
"""

import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from algan_sklearn import ALGANDetector
from algan_sklearn import benchmark as bm
from algan_sklearn._detector import _envelope
from algan_sklearn._networks import Discriminator
from algan_sklearn.datasets import iter_adbench_dir
from algan_sklearn.utils._torch import seed_from_random_state

REPO = Path(__file__).resolve().parents[1]
LABELS = {"gmm": "Gaussian mixture (envelope only)", "gaussian": "Mahalanobis (envelope only)"}


def envelope_scores(X_train, X_test, kind, seed):
    """Anomaly scores ``e(x)`` of the envelope ALGANDetector(envelope=kind, random_state=seed) would fit."""
    det = ALGANDetector(envelope=kind)
    # the detector's own input scaling, without training the GAN
    det.feature_scale_ = np.ones(X_train.shape[1])
    det.scaler_ = StandardScaler().fit(X_train)
    env = _envelope(det._scale(X_train), kind, seed_from_random_state(check_random_state(seed)))
    disc = Discriminator(X_train.shape[1], (1,), envelope=env)
    with torch.no_grad():
        return disc.envelope_term(torch.from_numpy(det._scale(X_test))).double().numpy()


def main(suite, kind="gmm"):
    torch.set_num_threads(1)
    rows = []
    for name, X, y in iter_adbench_dir(REPO.parent / "shared" / "datasets" / "adbench" / suite):
        for seed in (0, 1, 2):
            X_train, X_test, y_test = bm.novelty_split(X, y, random_state=seed)[:3]
            t0 = time.perf_counter()
            anomaly = envelope_scores(X_train, X_test, kind, seed)
            elapsed = time.perf_counter() - t0
            rows.append(
                {
                    "dataset": name,
                    "detector": LABELS[kind],
                    "seed": seed,
                    "n_train": X_train.shape[0],
                    "n_test": X_test.shape[0],
                    "n_test_anomalies": int(y_test.sum()),
                    "n_features": X.shape[1],
                    "auroc": roc_auc_score(y_test, anomaly),
                    "ap": average_precision_score(y_test, anomaly),
                    "fit_s": elapsed,
                    "score_ms_per_1k": float("nan"),
                    "error": "",
                }
            )
            print(f"{name} seed {seed}: AUROC {rows[-1]['auroc']:.4f}", flush=True)
    suffix = "" if kind == "gmm" else f"_{kind}"
    out = REPO / "benchmarks" / "results" / f"{suite}_envelope_only{suffix}.csv"
    bm.write_csv(rows, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
