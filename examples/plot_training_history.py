"""
=================================
Training curves from ``history_``
=================================

:class:`~algan_sklearn.ALGANDetector` records, for every epoch of training,
the losses of both networks, D's mean logit on the training rows, on the
fake-normal samples, on the pseudo-anomalies and on the buffered early samples,
and how far D's weights have moved from their initial values, in its
``history_`` attribute. :func:`algan_sklearn.plotting.plot_history` draws them.

The data are the benign tumours of scikit-learn's breast cancer set (30
features), as returned by
:func:`~algan_sklearn.datasets.load_breast_cancer_sklearn`.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from algan_sklearn import ALGANDetector
from algan_sklearn.datasets import load_breast_cancer_sklearn
from algan_sklearn.plotting import plot_history

FAST = os.environ.get("ALGAN_FAST", "") not in ("", "0")  # tests run the examples with ALGAN_FAST=1
FIT = {"max_iter": 30} if FAST else {}  # the defaults otherwise

X, y = load_breast_cancer_sklearn()
detector = ALGANDetector(random_state=0, **FIT).fit(X[y == 0])

# %%
# ``history_`` is a dict of equal-length lists, one entry per epoch (one pass
# over the training rows; with 357 rows and ``batch_size=128`` an epoch is 3
# iterations). It converts to a DataFrame directly.
history = pd.DataFrame(detector.history_)
print(history.tail())

# %%
# Losses and logits
# -----------------
# Left: the binary cross-entropy of D (training rows against every generated
# row) and the non-saturating loss of G. Right: D's mean logit per kind of row:
# the higher, the more a row looks like training data rather than generated.
# The score adds the generated rows' known log-density to this logit. The right
# panel's axis is logarithmic beyond +-1 (``symlog``).
fig, (ax_loss, ax_logit) = plt.subplots(1, 2, figsize=(12, 4))
plot_history(detector, ax=ax_loss)
plot_history(detector, ax=ax_logit, keys=("logit_real", "logit_fake", "logit_anomalous", "logit_buffer"))
ax_logit.axhline(0.0, color="0.5", lw=0.8)
ax_logit.set_yscale("symlog")  # the pseudo-anomalies' logits can be far more negative than the others
fig.tight_layout()

# %%
# What to look for
# ----------------
# * The real logit should sit above the fake-normal one, and clearly above the
#   pseudo-anomaly and buffer logits: D tells the data from everything
#   generated. Logits that stay flat at their initial values mean D is not
#   learning (``weight_change_d``, printed below, then stays near 0).
# * D's loss falling while G's rises is expected here: the kernel generator
#   (a kernel of one shared, per-feature width on each training row) smooths the
#   data, so it cannot match them exactly; D learns where the data are denser
#   or sparser than G's output, which is what the score adds to ``log n(x)``.
#   Logits that run off to hundreds would mean a saturated loss that no longer
#   teaches D anything (``logit_bound`` caps the network part).
# * Losses that jump to NaN stop the fit with
#   :class:`~algan_sklearn.TrainingDivergedError`; lower the learning rates.
#
# The curves are per-epoch means and are noisy, as GAN losses are. A flat
# stretch at the end suggests that more iterations (``max_iter``) would change
# little.
window = max(1, len(history) // 20)
smooth = history[["logit_real", "logit_fake", "logit_anomalous"]].rolling(window).mean().iloc[-1]
print(f"mean logits over the last {window} epochs:\n{smooth.round(2)}")
print(f"gap between training rows and pseudo-anomalies: {smooth.logit_real - smooth.logit_anomalous:.2f}")
print(f"D's weights moved by {history.weight_change_d.iloc[-1]:.2f} of their initial norm")
print(f"iterations run: {detector.n_iter_}, epochs: {len(history)}, finite: {bool(np.isfinite(history.values).all())}")

plt.show()
