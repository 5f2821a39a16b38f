"""
===============================================================
Tune ``sigma`` and ``alpha`` with a cross-validated grid search
===============================================================

A grid search over ALGAN's two latent-mixture parameters with scikit-learn's
:class:`~sklearn.model_selection.GridSearchCV` and this package's two helpers
for outlier detection:

* :class:`~algan_sklearn.model_selection.InlierOnlyStratifiedKFold` trains
  every fold on normal rows only (the detector's setting) and keeps both
  normal rows and anomalies in every validation fold;
* :func:`~algan_sklearn.metrics.make_outlier_scorer` scores a fold by AUROC
  with the anomalies as the positive class, whatever the label convention.

Tuning needs labelled anomalies: a few dozen known anomalies among the rows is
enough for AUROC to tell settings apart. The data are the breast cancer set
from :func:`~algan_sklearn.datasets.load_breast_cancer_sklearn` (benign =
normal, ``y == 0``; malignant = anomaly, ``y == 1``).
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from algan_sklearn import ALGANDetector, KNNDetector
from algan_sklearn.datasets import load_breast_cancer_sklearn
from algan_sklearn.metrics import make_outlier_scorer
from algan_sklearn.model_selection import InlierOnlyStratifiedKFold

FAST = os.environ.get("ALGAN_FAST", "") not in ("", "0")  # tests run the examples with ALGAN_FAST=1
MAX_ITER = 10 if FAST else 200
SIGMAS = [2.0, 8.0] if FAST else [2.0, 4.0, 8.0]
ALPHAS = [0.5] if FAST else [0.25, 0.5, 0.75]

# %%
# Hold out a test set
# -------------------
# The search sees 70% of the rows; the other 30% measure the chosen setting
# once at the end, so that its score is not inflated by the choice itself.
X, y = load_breast_cancer_sklearn()
X_search, X_test, y_search, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
print(f"search: {len(y_search)} rows ({y_search.sum()} anomalies); test: {len(y_test)} rows ({y_test.sum()} anomalies)")

# %%
# The search
# ----------
# ``anomaly_label=1`` tells the splitter and the scorer which value of ``y``
# marks an anomaly (use ``-1`` with scikit-learn's +1/-1 convention).
# ``refit=False``: a refit on all of ``X_search`` would train the detector on
# its anomalies too; the best setting is refitted on the normal rows below.
#
# Every fit is short (``max_iter=200``, a smaller discriminator)
# so that the 27 fits of this example (9 settings, 3 folds) take well under a
# minute on one core. For a real search keep the settings you will use in the
# end, and spread the fits over cores (``n_jobs``) or a Dask cluster
# (:doc:`/recipes_distributed`).
detector = ALGANDetector(max_iter=MAX_ITER, discriminator_hidden=(64, 64), random_state=0)
search = GridSearchCV(
    detector,
    {"sigma": SIGMAS, "alpha": ALPHAS},
    cv=InlierOnlyStratifiedKFold(n_splits=3, anomaly_label=1, shuffle=True, random_state=0),
    scoring={
        "auroc": make_outlier_scorer("roc_auc", anomaly_label=1),
        "ap": make_outlier_scorer("average_precision", anomaly_label=1),
    },
    refit=False,
    n_jobs=1,
    error_score="raise",
)
search.fit(X_search, y_search)

# %%
# Results
# -------
# ``cv_results_`` holds the mean and the spread over folds of each metric for
# every setting.
res = search.cv_results_
auroc = res["mean_test_auroc"].reshape(len(ALPHAS), len(SIGMAS))  # the grid varies sigma fastest
std = res["std_test_auroc"].reshape(len(ALPHAS), len(SIGMAS))
assert [p["alpha"] for p in res["params"][:: len(SIGMAS)]] == ALPHAS

# The colour scale spans AUROC from 0.5 (chance) to 1, so that a flat grid looks
# flat.
fig, ax = plt.subplots(figsize=(5.5, 4.2))
im = ax.imshow(auroc, cmap="Blues", vmin=0.5, vmax=1.0, origin="lower")
for i in range(len(ALPHAS)):
    for j in range(len(SIGMAS)):
        colour = "white" if auroc[i, j] > 0.8 else "black"
        ax.text(j, i, f"{auroc[i, j]:.3f}\n±{std[i, j]:.3f}", ha="center", va="center", color=colour, fontsize=9)
ax.set_xticks(range(len(SIGMAS)), [f"{s:g}" for s in SIGMAS])
ax.set_yticks(range(len(ALPHAS)), [f"{a:g}" for a in ALPHAS])
ax.set_xlabel("sigma")
ax.set_ylabel("alpha")
ax.set_title("cross-validated AUROC (mean ± std over 3 folds)", fontsize=10)
fig.colorbar(im, ax=ax)
fig.tight_layout()

# %%
# Refit the best setting on the normal rows, measure it once
# ----------------------------------------------------------
best = int(np.argmin(res["rank_test_auroc"]))
best_params = res["params"][best]
final = detector.set_params(**best_params).fit(X_search[y_search == 0])
scorer = make_outlier_scorer("roc_auc", anomaly_label=1)
print(f"best setting {best_params}: cross-validated AUROC {res['mean_test_auroc'][best]:.3f}")
print(f"held-out test AUROC: {scorer(final, X_test, y_test):.3f}")

# %%
# A baseline under the same protocol
# -----------------------------------
# The same splitter and scorer work for any detector. kNN, on standardised
# features, gives a reference point for the numbers above.
knn = make_pipeline(StandardScaler(), KNNDetector(n_neighbors=5))
knn_auroc = cross_val_score(knn, X_search, y_search, cv=search.cv, scoring=scorer)
print(f"kNN cross-validated AUROC: {knn_auroc.mean():.3f} ± {knn_auroc.std():.3f}")

# %%
# With a scaler, in a pipeline
# ----------------------------
# The same search works on a :class:`~sklearn.pipeline.Pipeline`; the grid
# then names the step, as in ``{"algandetector__sigma": [...]}`` for
# ``make_pipeline(StandardScaler(), ALGANDetector())``, as for kNN above. The
# splitter and the scorer do not change.

plt.show()
