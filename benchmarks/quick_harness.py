"""Fast research harness: ALGAN variants on a fixed 10-set subset, one seed, a few minutes.

For each set (novelty split of the benchmark protocol, seed 0) it fits one
ALGANDetector and reports the AUROC of its score and of its two terms alone: the
discriminator's logit ``D(x)`` and the generated rows' log-density ``log n(x)``
(the "fixed term"), next to kNN (k=5) and the GaussianMixture baseline.

Usage (from the repository root)::

    python benchmarks/quick_harness.py                          # defaults
    python benchmarks/quick_harness.py '{"sigma": 4, "alpha": 0.75}' --jobs 2
    python benchmarks/quick_harness.py '{}' --suite mvtec_resnet18
    python benchmarks/quick_harness.py '{}' --all --seeds 0,1,2 --output benchmarks/results/terms_classical.csv

``--all`` runs every set of the suite (the full protocol); ``--output`` writes one row
per set and seed. Each row also holds the share of the held-out normal test rows that
ALGAN and kNN flag with ``contamination=0.05`` (ALGAN: the 5th percentile of its
calibration scores; kNN: of its training scores, scikit-learn's convention).

The subset is fixed (never tuned per set); results go to stdout, one line per set
and a MEAN line.
"""

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from algan_sklearn import ALGANDetector, GaussianMixtureDetector, KNNDetector
from algan_sklearn.model_selection import novelty_split

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "datasets" / "adbench"
SUBSETS = {
    "classical": [
        "14_glass",
        "29_Pima",
        "7_Cardiotocography",
        "19_landsat",
        "41_Waveform",
        "2_annthyroid",
        "4_breastw",
        "40_vowels",
        "44_Wilt",
        "37_Stamps",
    ],
    "mvtec_resnet18": [
        "MVTec-AD_bottle",
        "MVTec-AD_cable",
        "MVTec-AD_capsule",
        "MVTec-AD_carpet",
        "MVTec-AD_grid",
    ],
}


def term_scores(det, X):
    """Score, discriminator logit and log n(x) of the fitted ALGANDetector ``det`` on ``X``."""
    with torch.inference_mode():  # the networks see the non-constant columns only
        x = torch.from_numpy(det._scale(det.constant_columns_.drop(X)))
        return (
            det.score_samples(X),
            det.score_network_.discriminator_term(x).double().numpy(),
            det.log_density_(x).double().numpy(),
        )


def one(args):
    suite, name, params, seed = args
    torch.set_num_threads(1)
    # the same library thread limits as ``algan-sklearn benchmark --threads 1``: MKL takes another
    # code path when limited, and on high-dimensional sets the fits then differ in the last bits
    threadpool_limits(limits=1)
    d = np.load(DATA / suite / f"{name}.npz")
    X_train, X_test, y = novelty_split(d["X"], d["y"], random_state=seed)
    t = time.perf_counter()
    det = ALGANDetector(random_state=seed, **params).fit(X_train)
    fit_s = time.perf_counter() - t
    full, disc, dens = term_scores(det, X_test)
    knn = KNNDetector(n_neighbors=5, calibration_fraction=0).fit(X_train).score_samples(X_test)
    gmm = GaussianMixtureDetector(random_state=seed, calibration_fraction=0).fit(X_train).score_samples(X_test)
    normal = y == 0
    flag_algan = float(np.mean(full[normal] < np.percentile(det.calibration_scores_, 5.0)))
    knn05 = KNNDetector(n_neighbors=5, contamination=0.05).fit(X_train)
    flag_knn = float(np.mean(knn05.predict(X_test[normal]) == -1))
    aucs = [roc_auc_score(y, -s) for s in (full, disc, dens, knn, gmm)]
    return name, seed, aucs, fit_s, (flag_algan, flag_knn, det.discriminator_weight_)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("params", nargs="?", default="{}", help="ALGANDetector parameters as JSON")
    parser.add_argument("--suite", default="classical", choices=sorted(SUBSETS))
    parser.add_argument("--seeds", default="0", help="comma-separated seeds")
    parser.add_argument("--all", action="store_true", help="every set of the suite, not the subset")
    parser.add_argument("--sets", help="comma-separated set names instead of the subset")
    parser.add_argument("--output", help="CSV file, one row per set and seed")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    params = json.loads(args.params)
    names = sorted(p.stem for p in (DATA / args.suite).glob("*.npz")) if args.all else SUBSETS[args.suite]
    if args.sets:
        names = [name.strip() for name in args.sets.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [(args.suite, name, params, seed) for name in names for seed in seeds]
    t0 = time.perf_counter()
    rows, records, weights = [], [], []
    with ProcessPoolExecutor(args.jobs) as pool:
        for name, seed, aucs, fit_s, flags in pool.map(one, jobs):
            rows.append(aucs)
            records.append((name, seed, *aucs, fit_s, *flags))
            weights.append(flags[2])
            print(
                f"{name:22s} {seed} ALGAN {aucs[0]:.3f}  D {aucs[1]:.3f}  log n {aucs[2]:.3f}  "
                f"kNN {aucs[3]:.3f}  GMM {aucs[4]:.3f}  fit {fit_s:.1f}s  flagged {flags[0]:.3f}/{flags[1]:.3f}  w {flags[2]:.2f}",
                flush=True,
            )
    if args.output:
        import csv

        with open(args.output, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(
                [
                    "dataset",
                    "seed",
                    "auroc_algan",
                    "auroc_discriminator",
                    "auroc_log_density",
                    "auroc_knn",
                    "auroc_gmm",
                    "fit_s",
                    "flagged_algan_c05",
                    "flagged_knn_c05",
                    "discriminator_weight",
                ]
            )
            w.writerows(records)
    m = np.mean(rows, axis=0)
    print(
        f"MEAN ALGAN {m[0]:.4f}  D {m[1]:.4f}  log n {m[2]:.4f}  kNN {m[3]:.4f}  GMM {m[4]:.4f}  "
        f"w {np.mean(weights):.2f}  ({time.perf_counter() - t0:.0f} s) {json.dumps(params)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
