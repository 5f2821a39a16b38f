"""
=======================================================
Fit, threshold and save a detector on a CSV of your own
=======================================================

The whole workflow on a table: read the rows you trust to be normal from a CSV
file, fit :class:`~algan_sklearn.ALGANDetector` on them, choose a threshold,
score new rows, and save the fitted detector to score more rows later.

To stand in for "your CSV", this example writes two files from scikit-learn's
breast cancer data: ``normal.csv`` with benign tumours only (the training rows)
and ``new.csv`` with benign and malignant tumours (the rows to check). Replace
the two paths by your own files.
"""

# %%
# Two CSV files
# -------------
# ``normal.csv`` holds 200 benign rows. ``new.csv`` holds the other 157 benign
# rows and all 212 malignant ones; its ``diagnosis`` column is kept aside to
# measure the detector at the end (your own new rows have no such column).
import os
import tempfile
from pathlib import Path

import joblib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score

from algan_sklearn import ALGANDetector

FAST = os.environ.get("ALGAN_FAST", "") not in ("", "0")  # tests run the examples with ALGAN_FAST=1
FIT = {"max_iter": 30} if FAST else {}  # the defaults otherwise

folder = Path(tempfile.mkdtemp())
table = load_breast_cancer(as_frame=True).frame
table["diagnosis"] = np.where(table.pop("target") == 1, "benign", "malignant")
benign = table[table["diagnosis"] == "benign"].sample(frac=1.0, random_state=0)
benign.iloc[:200].drop(columns="diagnosis").to_csv(folder / "normal.csv", index=False)
pd.concat([benign.iloc[200:], table[table["diagnosis"] == "malignant"]]).to_csv(folder / "new.csv", index=False)

# %%
# Fit on the normal rows
# ----------------------
# The detector is trained on normal rows only (novelty detection). Reading the
# file with pandas keeps the column names: the fitted detector remembers them
# (``feature_names_in_``) and checks that new data come with the same columns.
#
# ``ALGANDetector`` standardises each feature itself (``scaling='standard'``),
# so the columns' units do not matter. ``contamination=0.05`` sets the
# threshold so that 5% of the training rows fall below it; the default,
# ``'auto'``, leaves the threshold to the detector's own rule (see
# :doc:`/user_guide/scores`). ``random_state`` makes the fit repeatable.
train = pd.read_csv(folder / "normal.csv")
detector = ALGANDetector(contamination=0.05, random_state=0, **FIT)
detector.fit(train)
print(f"fitted on {train.shape[0]} rows, {detector.n_features_in_} features; offset_ = {detector.offset_:.3f}")

# %%
# Score new rows
# --------------
# ``score_samples`` is higher for more normal rows; ``predict`` says +1 (inlier)
# or -1 (outlier), using the threshold: ``predict(X) == -1`` exactly where
# ``decision_function(X) = score_samples(X) - offset_`` is negative.
new = pd.read_csv(folder / "new.csv")
features = new.drop(columns="diagnosis")
scores = detector.score_samples(features)
labels = detector.predict(features)
new["score"], new["label"] = scores, labels
print(new[["diagnosis", "score", "label"]].head())

# %%
# With the hidden diagnosis we can see how well the score ranks the malignant
# rows (AUROC, anomalies as the positive class: the anomaly score is
# ``-score_samples``) and what share of each class the threshold flags.
is_malignant = (new["diagnosis"] == "malignant").to_numpy()
print(f"AUROC: {roc_auc_score(is_malignant, -scores):.3f}")
print(new.groupby("diagnosis")["label"].apply(lambda s: f"{(s == -1).mean():.0%} flagged"))

fig, ax = plt.subplots(figsize=(6, 3.5))
bins = np.histogram_bin_edges(scores, bins=40)
ax.hist(scores[~is_malignant], bins=bins, alpha=0.6, label="benign (normal)")
ax.hist(scores[is_malignant], bins=bins, alpha=0.6, label="malignant (anomaly)")
ax.axvline(detector.offset_, color="k", ls="--", label="threshold (offset_)")
ax.set_xlabel("score_samples (higher = more normal)")
ax.set_ylabel("rows of new.csv")
ax.legend()
fig.tight_layout()

# %%
# Save and load
# -------------
# A fitted detector pickles like any scikit-learn estimator; :func:`joblib.dump`
# is the usual way. Its torch networks are stored on the CPU, so a detector
# trained on a GPU loads on a machine without one. Load only files you trust:
# unpickling runs code.
path = folder / "detector.joblib"
joblib.dump(detector, path)
loaded = joblib.load(path)
assert np.array_equal(loaded.score_samples(features), scores)
print(f"saved to {path.name} ({path.stat().st_size / 1024:.0f} KiB); the loaded copy gives the same scores")

# %%
# The same from the command line
# ------------------------------
# ``algan-sklearn score`` fits on one file and writes the other with ``score``
# and ``label`` columns added (see :doc:`/user_guide/cli`)::
#
#     algan-sklearn score --train normal.csv --test new.csv --output scored.csv --contamination 0.05
#
# To tune ``sigma`` and ``alpha`` you need some rows whose status you know;
# :ref:`sphx_glr_auto_examples_plot_grid_search.py` shows how.

plt.show()
