"""
==============================================
How ``sigma`` and ``alpha`` shape the boundary
==============================================

ALGAN draws its latents from the mixture
``alpha * N(0, I) + (1 - alpha) * N(0, sigma^2 I)``:

* ``sigma`` is the spread of the anomalous-state component. The wider it is,
  the farther from the normal state the generator's pseudo-anomalies are drawn
  from.
* ``alpha`` is the share of normal-state latents: the fraction of each
  generated batch that is fake-normal. The rest, ``1 - alpha``, are
  pseudo-anomalies.

This example fits ALGAN on a 2-D data set with a few values of each, and
measures every fit on held-out data: normal rows from the same distribution
plus uniform anomalies around them. The top row varies ``sigma`` at the
default ``alpha``, the bottom row ``alpha`` at the default ``sigma``.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import roc_auc_score

from algan_sklearn import ALGANDetector

FAST = os.environ.get("ALGAN_FAST", "") not in ("", "0")  # tests run the examples with ALGAN_FAST=1
FIT = {"max_iter": 30} if FAST else {}  # the defaults otherwise
GRID = 50 if FAST else 120

# %%
# Data: two blobs of different spread
# -----------------------------------
# 300 training rows and 300 held-out normal rows from the same blobs, and 150
# anomalies drawn uniformly from the square around them.
centers, spread = [[-2.5, -2.5], [2.0, 2.0]], [0.5, 1.2]
X_train = make_blobs(300, centers=centers, cluster_std=spread, random_state=0)[0]
X_normal = make_blobs(300, centers=centers, cluster_std=spread, random_state=1)[0]
X_anomalies = np.random.RandomState(2).uniform(-7, 7, size=(150, 2))
X_test = np.vstack([X_normal, X_anomalies])
is_anomaly = np.r_[np.zeros(300), np.ones(150)]

# %%
# Fit one detector per setting
# ----------------------------
# ``contamination=0.05`` puts every boundary at the same share of the rows each
# detector held out from training; the other parameters keep their defaults.
default = ALGANDetector()
settings = [{"sigma": s} for s in (1.0, default.sigma, 16.0)] + [{"alpha": a} for a in (0.1, default.alpha, 0.9)]

xx, yy = np.meshgrid(np.linspace(-7, 7, GRID), np.linspace(-7, 7, GRID))
grid = np.c_[xx.ravel(), yy.ravel()]
fig, axes = plt.subplots(2, 3, figsize=(12, 8.6), sharex=True, sharey=True, layout="constrained")
fitted = {}
for ax, params in zip(axes.ravel(), settings):
    key = tuple(sorted({"sigma": default.sigma, "alpha": default.alpha, **params}.items()))
    if key not in fitted:  # the defaults appear in both rows
        fitted[key] = ALGANDetector(contamination=0.05, random_state=0, **FIT, **params).fit(X_train)
    detector = fitted[key]
    auroc = roc_auc_score(is_anomaly, -detector.score_samples(X_test))
    z = detector.decision_function(grid).reshape(xx.shape)
    ax.contourf(xx, yy, np.maximum(z, np.percentile(z, 5)), levels=20, cmap="viridis")
    ax.contour(xx, yy, z, levels=[0.0], colors="red", linewidths=1.5)
    ax.scatter(X_train[:, 0], X_train[:, 1], s=3, c="white", edgecolors="none")
    ax.scatter(X_anomalies[:, 0], X_anomalies[:, 1], s=6, c="tab:red", marker="x", linewidths=0.6)
    name, value = next(iter(params.items()))
    ax.set_title(f"{name} = {value:g}   (held-out AUROC {auroc:.3f})", fontsize=10)
    ax.set_aspect("equal")
fig.suptitle(f"top: sigma varies (alpha = {default.alpha:g}); bottom: alpha varies (sigma = {default.sigma:g})")

# %%
# Reading the figure
# ------------------
# Red crosses are the held-out anomalies; the red line is each detector's
# boundary. How much the boundary moves with each parameter depends on the
# data and on the training run: a GAN's result varies between seeds, so
# differences of a few hundredths of AUROC between two panels are within that
# noise. To choose the values for your data, score a grid of them by
# cross-validation on labelled rows:
# :ref:`sphx_glr_auto_examples_plot_grid_search.py`.

plt.show()
