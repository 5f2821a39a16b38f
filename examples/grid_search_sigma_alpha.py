"""Tune ALGAN's sigma and alpha with GridSearchCV, the novelty-detection way.

* Pipeline: StandardScaler -> ALGANDetector.
* Splitter: InlierOnlyStratifiedKFold trains every fold on normal rows only and
  validates on both classes.
* Scorer: AUROC with the anomalies as the positive class (labels 0 normal /
  1 anomaly, as in ADBench, hence anomaly_label=1).
* refit=False, then the best parameters are fitted on the normal rows of the
  training part, and evaluated once on a held-out test part.

Run from the repository root::

    python examples/grid_search_sigma_alpha.py [path/to/data.npz] [--n-jobs N] [--max-iter N]

The data default to ADBench's Pima set in ../shared/datasets if it is there,
else to a synthetic set. With a Dask cluster, wrap the ``fit`` in
``joblib.parallel_backend("dask")`` (see docs/recipes_distributed.md).
"""

import argparse
from pathlib import Path

import numpy as np
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from algan_sklearn import ALGANDetector
from algan_sklearn.metrics import make_outlier_scorer
from algan_sklearn.model_selection import InlierOnlyStratifiedKFold

PIMA = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "adbench" / "classical" / "29_Pima.npz"


def load(path):
    """X and y (1 = anomaly) from an ADBench-style .npz, or a synthetic stand-in."""
    if path is not None and Path(path).exists():
        with np.load(path, allow_pickle=False) as npz:
            return npz["X"].astype(np.float64), npz["y"].astype(int), Path(path).stem
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(size=(600, 6)), rng.uniform(-5, 5, size=(60, 6))])
    y = np.r_[np.zeros(600, dtype=int), np.ones(60, dtype=int)]
    return X, y, "synthetic"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(PIMA), help="ADBench-style .npz with X and y (1 = anomaly)")
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel fits (default 2)")
    parser.add_argument("--max-iter", type=int, default=200, help="ALGAN training iterations (default 200)")
    args = parser.parse_args()

    X, y, name = load(args.data)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    print(f"{name}: {len(X_train)} training rows ({y_train.sum()} anomalies), {len(X_test)} test rows")

    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("algan", ALGANDetector(max_iter=args.max_iter, random_state=0)),
        ]
    )
    grid = {"algan__sigma": [2.0, 4.0, 8.0], "algan__alpha": [0.25, 0.5, 0.75]}
    scoring = {
        "auroc": make_outlier_scorer("roc_auc", anomaly_label=1),
        "ap": make_outlier_scorer("average_precision", anomaly_label=1),
    }
    search = GridSearchCV(
        pipe,
        grid,
        cv=InlierOnlyStratifiedKFold(n_splits=3, anomaly_label=1, shuffle=True, random_state=0),
        scoring=scoring,
        refit=False,  # refit=True would train on the anomalies too
        n_jobs=args.n_jobs,
        error_score="raise",
    ).fit(X_train, y_train)

    res = search.cv_results_
    print(f"\n{'sigma':>6} {'alpha':>6} {'AUROC':>13} {'AP':>13}")
    for i in np.argsort(res["rank_test_auroc"]):
        p = res["params"][i]
        print(
            f"{p['algan__sigma']:6.1f} {p['algan__alpha']:6.2f} "
            f"{res['mean_test_auroc'][i]:.3f}±{res['std_test_auroc'][i]:.3f} "
            f"{res['mean_test_ap'][i]:.3f}±{res['std_test_ap'][i]:.3f}"
        )

    best_params = res["params"][int(np.argmin(res["rank_test_auroc"]))]
    best = pipe.set_params(**best_params).fit(X_train[y_train == 0])
    test_auroc = scoring["auroc"](best, X_test, y_test)
    test_ap = scoring["ap"](best, X_test, y_test)
    print(f"\nbest {best_params}: held-out AUROC {test_auroc:.3f}, AP {test_ap:.3f}")


if __name__ == "__main__":
    main()
