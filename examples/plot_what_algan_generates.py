"""
==========================================
What ALGAN generates, and what D learns
==========================================

ALGAN trains its discriminator D to tell the training rows from three kinds of
generated rows. This example draws each kind in 2-D, over D's score:

* **fake-normal** samples: the generator G applied to latents from the
  normal-state component ``N(0, I)``; G is trained to make these look like the
  training data;
* **pseudo-anomalies**: G applied to latents from the wide, anomalous-state
  component ``N(0, sigma^2 I)``;
* **early samples**: what G produced early in training, before it learned the
  data. ALGAN keeps such samples in a buffer and shows them to D as further
  anomalies for the whole training.

The background of every panel is the fitted detector's ``score_samples``
(brighter = more normal), the same in all four panels.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons

from algan_sklearn import ALGANDetector

FAST = os.environ.get("ALGAN_FAST", "") not in ("", "0")  # tests run the examples with ALGAN_FAST=1
FIT = {"max_iter": 30} if FAST else {}  # the defaults otherwise
GRID = 60 if FAST else 200

# %%
# Train on two moons
# ------------------
X = 4.0 * (make_moons(400, noise=0.06, random_state=0)[0] - [0.5, 0.25])
detector = ALGANDetector(random_state=0, **FIT).fit(X)

# %%
# Draw from the generator
# -----------------------
# :meth:`~algan_sklearn.ALGANDetector.sample` draws rows from the trained
# generator, back in the units of ``X``: ``state="normal"`` uses latents from
# ``N(0, I)``, ``state="anomalous"`` from ``N(0, sigma^2 I)``.
fake_normal = detector.sample(400, state="normal", random_state=1)
pseudo_anomalies = detector.sample(400, state="anomalous", random_state=2)

# %%
# The buffer is filled during the first ``buffer_fraction * max_iter``
# iterations and is not kept after ``fit``. To see samples of that stage we
# train the same detector again, stopped at the end of that period, and draw
# from its generator. (The two runs are not the same run cut short: the
# number of iterations changes how the buffer is filled. The picture is of the
# same stage of training.)
n_early = max(1, int(detector.buffer_fraction * detector.max_iter))
early_detector = ALGANDetector(max_iter=n_early, random_state=0).fit(X)
early = early_detector.sample(400, random_state=3)

# %%
# Plot
# ----
# Each panel is zoomed to hold the training rows and most of its samples, and
# its background is D's score on that area.
panels = [
    ("training rows", X, "white"),
    ("fake-normal: G(z), z ~ N(0, I)", fake_normal, "tab:orange"),
    (f"pseudo-anomalies: G(z), z ~ N(0, {detector.sigma:g}² I)", pseudo_anomalies, "tab:red"),
    (f"early samples: G after {n_early} iterations", early, "tab:pink"),
]
fig, axes = plt.subplots(1, 4, figsize=(16, 4.6))
for ax, (title, rows, colour) in zip(axes, panels):
    lim = 1.3 * np.percentile(np.abs(np.vstack([X, rows])), 98)
    xx, yy = np.meshgrid(np.linspace(-lim, lim, GRID), np.linspace(-lim, lim, GRID))
    score = detector.score_samples(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
    low = np.percentile(score, 5)  # clip the colour scale: far-away scores fall steeply
    ax.contourf(xx, yy, np.maximum(score, low), levels=20, cmap="viridis")
    ax.contour(xx, yy, score, levels=[detector.offset_], colors="white", linewidths=1, linestyles="--")
    if rows is not X:
        ax.scatter(X[:, 0], X[:, 1], s=2, c="white", alpha=0.5, edgecolors="none")
    ax.scatter(rows[:, 0], rows[:, 1], s=5, c=colour, edgecolors="none")
    ax.set_title(title, fontsize=10)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
fig.suptitle("What D is trained against; background: D's score (bright = normal), dashed: decision boundary")
fig.tight_layout()

# %%
# Where the pseudo-anomalies fall
# -------------------------------
# G maps the wide latents through the same network it trained on the normal
# ones, so where the pseudo-anomalies land is up to G: the paper's idea is that
# they fall around and between the normal data, where no training row is,
# which teaches D a tighter region than a plain GAN discriminator would learn.
# The figure shows where they fell in this run; mean scores of each kind:
for title, rows, _ in panels:
    print(f"{title:55s} mean score {detector.score_samples(rows).mean():8.2f}")

plt.show()
