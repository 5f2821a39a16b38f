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
* **early samples**: what G produced early in training. ALGAN keeps early
  generator states in a buffer and shows their samples to D as further
  anomalies for the whole training.

The generator of this package is a kernel generator on the training rows:
``G(z, k) = c_k + h * exp(l) * z`` with centres ``c_k`` at training rows and a
shared per-feature scale refined adversarially, so the density ``n(x)`` of
everything it generates is known (a log-sum-exp over the centres). The
background of every panel is the fitted detector's ``score_samples``
``log n(x) + w D(x)`` (brighter = more normal), the same in all four panels: the
last figure splits it into its two terms.
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
# The buffer's generator states are taken during the first
# ``buffer_fraction * max_iter`` iterations. To see samples of that stage we
# train the same detector again, stopped at the end of that period, and draw
# from its generator. (The two runs are not the same run cut short: the
# number of iterations changes when the states are taken. The picture is of the
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
# G places the wide latents around the same centres as the normal ones, so the
# pseudo-anomalies surround every region of the data, at about ``sigma`` times
# the kernels' scale. Mean scores of each kind:
for title, rows, _ in panels:
    print(f"{title:55s} mean score {detector.score_samples(rows).mean():8.2f}")

# %%
# The score's two terms
# ---------------------
# ``log n(x)`` (left) is the known density of the generated rows: kernels on
# the training rows, which follow the moons. The discriminators' weighted logit
# ``w D(x)`` (middle) learns the remaining ratio of the data density to it, with
# the weight ``w`` that held-out rows confirmed; their sum (right) is the score.
import torch  # noqa: E402

lim = 1.3 * np.percentile(np.abs(X), 98)
xx, yy = np.meshgrid(np.linspace(-lim, lim, GRID), np.linspace(-lim, lim, GRID))
grid = np.c_[xx.ravel(), yy.ravel()]
with torch.inference_mode():
    scaled = torch.from_numpy(detector._scale(grid))
    terms = {
        "log n(x): generated rows' density": detector.log_density_(scaled).numpy(),
        f"w D(x): discriminators' logit (w = {detector.discriminator_weight_:.2f})": detector.score_network_.discriminator_term(scaled).numpy(),
        "score log n(x) + w D(x)": detector.score_samples(grid),
    }
fig, axes = plt.subplots(1, 3, figsize=(13, 4.4))
for ax, (title, values) in zip(axes, terms.items()):
    values = values.reshape(xx.shape)
    ax.contourf(xx, yy, np.maximum(values, np.percentile(values, 5)), levels=20, cmap="viridis")
    ax.scatter(X[:, 0], X[:, 1], s=2, c="white", alpha=0.5, edgecolors="none")
    ax.set_title(title, fontsize=10)
    ax.set_aspect("equal")
fig.tight_layout()

plt.show()
