"""The fixed-seed fits whose scores ``test_pinned_scores.py`` pins, and ALGAN's deterministic parts."""

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_wine

from algan_sklearn import ALGANDetector, GaussianMixtureDetector, KNNDetector, ZScoreDetector
from algan_sklearn._generator import KernelLogDensity, kernel_bandwidth
from algan_sklearn._networks import Discriminator
from algan_sklearn._scaling import fit_scaling, scale_rows

PINNED_DATA = {"breast_cancer": load_breast_cancer, "wine": load_wine}


def pinned_detectors():
    """Name -> unfitted detector with a fixed seed (ALGAN short, so the test is fast)."""
    return {
        "ALGAN": ALGANDetector(max_iter=200, random_state=0),
        "ALGAN-2": ALGANDetector(max_iter=100, max_centres=64, latent_mixing="coordinate", random_state=1),
        "kNN": KNNDetector(),
        "z-score": ZScoreDetector(),
        "GMM": GaussianMixtureDetector(random_state=0),
    }


def pinned_scores(data, name):
    """``score_samples`` of every row after fitting on the even rows."""
    X = PINNED_DATA[data](return_X_y=True)[0]
    det = pinned_detectors()[name].fit(X[::2])
    return np.asarray(det.score_samples(X), dtype=np.float64)


def pinned_parts(data):
    """ALGAN's parts that involve no training, on every row (scaling fitted on the even rows).

    Returns a dict: the scaled rows, ``log n`` of the untrained kernel generator (centres
    at the even rows, the default bandwidth rule, a buffer state of twice the scale) and
    the logit of D at its initial weights (seed 0).
    """
    X = PINNED_DATA[data](return_X_y=True)[0]
    feature_scale, scaler = fit_scaling(X[::2], "standard")
    Z = scale_rows(X, feature_scale, scaler)
    with torch.inference_mode():
        centres = torch.from_numpy(Z[::2].astype(np.float64))
        h = torch.full((Z.shape[1],), kernel_bandwidth(Z[::2].astype(np.float64), 0.5), dtype=torch.float64)
        log_n = KernelLogDensity(centres, [h, 2 * h], alpha=0.5, sigma=2.0, mixing="sample", buffer_weight=0.5)
        x = torch.from_numpy(Z)
        D = Discriminator(Z.shape[1], (64, 64), 50.0, generator=torch.Generator().manual_seed(0))
        return {"scaled": Z.astype(np.float64), "log_n": log_n(x).double().numpy(), "D": D(x).double().numpy()}
