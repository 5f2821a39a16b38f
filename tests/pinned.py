"""The fixed-seed fits whose scores ``test_pinned_scores.py`` pins."""

import numpy as np
from sklearn.datasets import load_breast_cancer, load_wine

from algan_sklearn import ALGANDetector, GaussianMixtureDetector, KNNDetector, ZScoreDetector

PINNED_DATA = {"breast_cancer": load_breast_cancer, "wine": load_wine}


def pinned_detectors():
    """Name -> unfitted detector with a fixed seed (ALGAN short, so the test is fast)."""
    return {
        "ALGAN": ALGANDetector(max_iter=200, random_state=0),
        "ALGAN-3": ALGANDetector(max_iter=100, n_components=3, latent_mixing="coordinate", random_state=1),
        "kNN": KNNDetector(),
        "z-score": ZScoreDetector(),
        "GMM": GaussianMixtureDetector(random_state=0),
    }


def pinned_scores(data, name):
    """``score_samples`` of every row after fitting on the even rows."""
    X = PINNED_DATA[data](return_X_y=True)[0]
    det = pinned_detectors()[name].fit(X[::2])
    return np.asarray(det.score_samples(X), dtype=np.float64)
