"""The fixed-seed fits whose scores ``test_pinned_scores.py`` pins, and ALGAN's deterministic parts."""

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_wine

from algan_sklearn import ALGANDetector, GaussianMixtureDetector, KNNDetector, ZScoreDetector
from algan_sklearn._density import AffineMixtureGenerator, GeneratedLogDensity
from algan_sklearn._networks import Discriminator
from algan_sklearn._scaling import fit_scaling, scale_rows

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


def pinned_parts(data):
    """ALGAN's parts that involve no training, on every row (scaling fitted on the even rows).

    Returns a dict: the scaled rows, ``log n`` of the untrained reference and the logit of
    D at its initial weights (seed 0).
    """
    X = PINNED_DATA[data](return_X_y=True)[0]
    feature_scale, scaler = fit_scaling(X[::2], "standard")
    Z = scale_rows(X, feature_scale, scaler)
    with torch.inference_mode():
        generator = AffineMixtureGenerator.from_data(Z[::2])
        states = [tuple(t.double() for t in generator.state())]
        log_n = GeneratedLogDensity(
            [(m, t, torch.log(p)) for m, t, p in states], alpha=0.5, sigma=2.0, mixing="sample"
        )
        x = torch.from_numpy(Z)
        D = Discriminator(Z.shape[1], (64, 64), 50.0, generator=torch.Generator().manual_seed(0))
        return {"scaled": Z.astype(np.float64), "log_n": log_n(x).double().numpy(), "D": D(x).double().numpy()}
