"""Share of new normal rows flagged with ``contamination=0.05``, for every detector (#18 item 2).

For each data set: the benchmark's novelty split (``novelty_split``, seed 0); every
detector fitted on the normal training rows with ``contamination=0.05`` and its default
held-out threshold (``calibration_fraction=0.1``); the share of the *normal* test rows
that ``predict`` flags (goal: 2-10%). Detectors: kNN (k = 1, 5, 20),
GaussianMixtureDetector (defaults, ``max_components`` 1 and 10), ZScoreDetector and
ALGANDetector (defaults). The baselines are also fitted with ``calibration_fraction=0``
(the threshold from their own training rows, as before the held-out stage) for
comparison; ALGAN is not (it would double the run time). One process, one thread
(the machine is shared); a summary is printed at the end.

Usage (data from ``../shared/datasets/adbench/classical``)::

    python benchmarks/bench_thresholds.py --output benchmarks/results/thresholds.csv

``--sets 4_breastw 38_thyroid`` runs a subset, ``--skip-algan`` the baselines only.
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from algan_sklearn import ALGANDetector, GaussianMixtureDetector, KNNDetector, ZScoreDetector
from algan_sklearn.benchmark import write_csv
from algan_sklearn.model_selection import novelty_split

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "adbench" / "classical"
CONTAMINATION = 0.05
DETECTORS = {
    "kNN k=1": lambda: KNNDetector(n_neighbors=1),
    "kNN k=5": lambda: KNNDetector(n_neighbors=5),
    "kNN k=20": lambda: KNNDetector(n_neighbors=20),
    "GMM": lambda: GaussianMixtureDetector(random_state=0),
    "GMM 1 component": lambda: GaussianMixtureDetector(max_components=1, random_state=0),
    "z-score": lambda: ZScoreDetector(),
    "ALGAN": lambda: ALGANDetector(random_state=0),
}


def measure(name, make, fraction, X_train, X_normal_test):
    det = make().set_params(contamination=CONTAMINATION)
    if fraction is not None:
        det.set_params(calibration_fraction=fraction)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        det.fit(X_train)
    fit_s = time.perf_counter() - start
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    return {
        "detector": name,
        "calibration_fraction": det.calibration_fraction,
        "n_calibration": det.n_calibration_,
        "flagged_share": float(np.mean(det.predict(X_normal_test) == -1)),
        "fit_s": fit_s,
        "warning": " | ".join(messages)[:300],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", help="data set names (default: all 31)")
    parser.add_argument("--skip-algan", action="store_true")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of ADBench .npz files")
    parser.add_argument("--output", default="benchmarks/results/thresholds.csv")
    args = parser.parse_args(argv)
    threadpool_limits(limits=1)
    torch.set_num_threads(1)
    names = args.sets or sorted(p.stem for p in args.data.glob("*.npz"))
    rows = []
    for name in names:
        data = np.load(args.data / f"{name}.npz")
        X_train, X_test, y_test = novelty_split(data["X"], data["y"], random_state=0)
        normal = X_test[y_test == 0]
        base = {"dataset": name, "n_train": len(X_train), "n_normal_test": len(normal)}
        for detector, make in DETECTORS.items():
            if detector == "ALGAN" and args.skip_algan:
                continue
            fractions = (None,) if detector == "ALGAN" else (None, 0.0)
            for fraction in fractions:
                row = {**base, **measure(detector, make, fraction, X_train, normal)}
                rows.append(row)
                print(
                    f"{name:20s} {detector:16s} cal={row['calibration_fraction']:<4g} n_cal={row['n_calibration']:<5d} "
                    f"flagged {100 * row['flagged_share']:5.1f}%  fit {row['fit_s']:6.1f}s",
                    flush=True,
                )
        write_csv(rows, args.output)  # after every set: a partial run keeps what it measured
    held_out = [r for r in rows if r["calibration_fraction"] > 0]
    print(f"\nShare of normal test rows flagged, contamination={CONTAMINATION} (goal 2-10%), {len(names)} sets:")
    for detector in DETECTORS:
        for label, subset in (("held-out", held_out), ("training rows", [r for r in rows if r not in held_out])):
            shares = np.array([r["flagged_share"] for r in subset if r["detector"] == detector])
            if shares.size:
                inside = np.mean((shares >= 0.02) & (shares <= 0.10))
                print(
                    f"  {detector:16s} {label:13s} median {100 * np.median(shares):5.1f}%  "
                    f"range {100 * shares.min():5.1f}-{100 * shares.max():5.1f}%  in 2-10%: "
                    f"{int(round(inside * shares.size))}/{shares.size}"
                )


if __name__ == "__main__":
    main()
