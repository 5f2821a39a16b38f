"""
=====================================================
Why is this row anomalous? Contributions and p-values
=====================================================

A detector says *that* a row is anomalous; :func:`~algan_sklearn.inspection.feature_contributions`
says *which features* made it so, and conformal p-values with the Benjamini-Hochberg
procedure say *how sure* we can be when many rows are flagged at once.

Data: the breast cancer Wisconsin (diagnostic) data shipped with scikit-learn, 30
measurements of cell nuclei per tumour. ALGAN is trained on 60% of the benign
tumours (the benchmark's novelty split) behind a
:class:`~sklearn.preprocessing.StandardScaler`; the test set holds the other benign
tumours and all malignant ones.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from algan_sklearn import ALGANDetector
from algan_sklearn.conformal import benjamini_hochberg
from algan_sklearn.inspection import feature_contributions
from algan_sklearn.model_selection import novelty_split

FAST = os.environ.get("ALGAN_FAST", "") not in ("", "0")  # tests run the examples with ALGAN_FAST=1
FIT = {"max_iter": 30} if FAST else {}  # the defaults otherwise

data = load_breast_cancer(as_frame=True)
X, y = data.data, 1 - data.target.to_numpy()  # 1 = malignant = anomaly
X_train, X_test, y_test = novelty_split(X.to_numpy(), y, random_state=0, scale=False)
X_train = pd.DataFrame(X_train, columns=X.columns)
X_test = pd.DataFrame(X_test, columns=X.columns)

model = make_pipeline(StandardScaler(), ALGANDetector(random_state=0, **FIT)).fit(X_train)

# %%
# How sure? Conformal p-values and a false discovery rate
# -------------------------------------------------------
# ALGAN holds 10% of its training rows out of training; a new row's p-value is the
# share of those held-out benign rows that score no higher. Flagging rows with
# Benjamini-Hochberg at 0.1 keeps the expected share of benign tumours among the
# flagged rows at 10% or less.
pvalues = model[-1].pvalues(model[0].transform(X_test))
flagged = benjamini_hochberg(pvalues, alpha=0.1)
false = int((flagged & (y_test == 0)).sum())
print(f"flagged {flagged.sum()} of {len(y_test)} test rows: {false} benign, {flagged.sum() - false} malignant")
print(f"malignant tumours found: {flagged[y_test == 1].mean():.0%}")

# %%
# Which features? Contributions of the four most anomalous rows
# -------------------------------------------------------------
# Each bar is one feature's share of the row's anomaly score above that of the
# reference row (the most normal held-out benign tumour); the bars of a row add up to
# that difference. Through the pipeline, contributions are those of the input
# features, under their own names. Here ``area error`` (the standard error of the
# nuclei's area) dominates; correlated size features such as ``radius error`` get
# negative contributions: given the area, their values are less surprising than the
# reference's.
result = feature_contributions(model, X_test, as_frame=True)
top_rows = np.argsort(-result.anomaly_score)[:4]
fig, axes = plt.subplots(2, 2, figsize=(11, 7), layout="constrained")
for ax, row in zip(axes.ravel(), top_rows):
    contributions = result.contributions.iloc[row].sort_values(key=np.abs, ascending=False)[:8][::-1]
    colors = ["tab:red" if v > 0 else "tab:blue" for v in contributions]
    ax.barh(contributions.index, contributions.to_numpy(), color=colors)
    kind = "malignant" if y_test[row] == 1 else "benign"
    ax.set_title(f"test row {row} ({kind}), p = {pvalues[row]:.3f}", fontsize=10)
    ax.set_xlabel("contribution to the anomaly score")
fig.suptitle("ALGAN: the eight largest feature contributions of the four most anomalous tumours")
plt.show()

# %%
# The features that matter most overall
# -------------------------------------
# Averaged over the flagged rows, the largest contributions point at the nuclei's area
# and concavity, the measurements that separate malignant from benign nuclei.
mean = result.contributions[flagged].mean().sort_values(ascending=False)[:10][::-1]
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.barh(mean.index, mean.to_numpy(), color="tab:red")
ax.set_xlabel("mean contribution over the flagged rows")
plt.show()
