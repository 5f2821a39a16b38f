"""
=======================================================
Decision boundaries of ALGAN and the baseline detectors
=======================================================

Five outlier detectors trained on the same 2-D toy data sets, side by side:
:class:`~algan_sklearn.ALGANDetector`, :class:`~algan_sklearn.KNNDetector`,
:class:`~sklearn.neighbors.LocalOutlierFactor` (with ``novelty=True``),
:class:`~sklearn.ensemble.IsolationForest` and
:class:`~algan_sklearn.ZScoreDetector`.

The background shows each detector's ``decision_function`` (brighter = more
normal), the red line its decision boundary (``decision_function = 0``), and
the white dots the training rows. Every detector is given
``contamination=0.05``, so each boundary leaves out 5% of the training rows and
the boundaries are comparable; the scores themselves are on different scales.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs, make_moons
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor

from algan_sklearn import ALGANDetector, KNNDetector, ZScoreDetector

FAST = os.environ.get("ALGAN_FAST", "") not in ("", "0")  # tests run the examples with ALGAN_FAST=1
FIT = {"max_iter": 30} if FAST else {}  # the defaults otherwise
GRID = 60 if FAST else 150

# %%
# Three training sets of 300 normal rows each
# -------------------------------------------
datasets = {
    "one blob": make_blobs(300, centers=[[0.0, 0.0]], cluster_std=1.0, random_state=0)[0],
    "two blobs": make_blobs(300, centers=[[-2.5, -2.5], [2.0, 2.0]], cluster_std=[0.5, 1.2], random_state=0)[0],
    "two moons": 4.0 * (make_moons(300, noise=0.06, random_state=0)[0] - [0.5, 0.25]),
}

# %%
# The detectors
# -------------
# Functions that build a fresh, unfitted detector. kNN and LOF measure
# Euclidean distances, so on real data they need features on comparable scales
# (a :class:`~sklearn.preprocessing.StandardScaler` in a pipeline); here both
# coordinates already share one scale. ALGAN standardises its inputs itself.
detectors = {
    "ALGAN": lambda: ALGANDetector(contamination=0.05, random_state=0, **FIT),
    "kNN": lambda: KNNDetector(n_neighbors=5, contamination=0.05),
    "LOF": lambda: LocalOutlierFactor(n_neighbors=20, novelty=True, contamination=0.05),
    "IsolationForest": lambda: IsolationForest(contamination=0.05, random_state=0),
    "z-score": lambda: ZScoreDetector(contamination=0.05),
}

# %%
# Fit each detector on each data set and draw its decision function
# -----------------------------------------------------------------
# Each panel's colours are scaled to that panel's own range of scores.
xx, yy = np.meshgrid(np.linspace(-8, 8, GRID), np.linspace(-8, 8, GRID))
grid = np.c_[xx.ravel(), yy.ravel()]

fig, axes = plt.subplots(len(datasets), len(detectors), figsize=(15, 9), sharex=True, sharey=True)
for row, (data_name, X) in enumerate(datasets.items()):
    for col, (det_name, make) in enumerate(detectors.items()):
        detector = make().fit(X)
        z = detector.decision_function(grid).reshape(xx.shape)
        # Far from the data some scores fall steeply: clip the colour scale at a low
        # percentile so that the structure near the data stays visible.
        low = np.percentile(z, 5)
        ax = axes[row, col]
        ax.contourf(xx, yy, np.maximum(z, low), levels=20, cmap="viridis")
        ax.contour(xx, yy, z, levels=[0.0], colors="red", linewidths=1.5)
        ax.scatter(X[:, 0], X[:, 1], s=3, c="white", edgecolors="none")
        ax.set_aspect("equal")
        if row == 0:
            ax.set_title(det_name)
        if col == 0:
            ax.set_ylabel(data_name)
fig.suptitle("decision_function (bright = normal), boundary in red, training rows in white")
fig.tight_layout()

# %%
# How to read it
# --------------
# * The z-score detector scores by the distance from the mean, scaled per
#   feature: its regions are axis-aligned ellipses, whatever the shape of the
#   data.
# * kNN and LOF follow the shape of the data closely; LOF's score is relative
#   to the local density, so the tight and the wide blob get boundaries at
#   similar *relative* distances.
# * IsolationForest splits on one feature at a time, which gives its
#   boxy regions.
# * ALGAN's region is what its discriminator learned to call "real" against the
#   generator's fake-normal and pseudo-anomalous samples, closed far from the
#   data by a fixed term of D's logit that this package adds (see the Notes of
#   :class:`~algan_sklearn.ALGANDetector`). It depends on the training run; :ref:`sphx_glr_auto_examples_plot_what_algan_generates.py` shows the
#   samples D was trained against.

plt.show()
