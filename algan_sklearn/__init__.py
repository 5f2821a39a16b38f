"""ALGAN anomaly detection as a scikit-learn outlier detector.

Murase & Fukumizu, "ALGAN: Anomaly Detection by Generating Pseudo Anomalous Data
via Latent Variables", IEEE Access, 2022.

The estimators are imported on first use (PEP 562), so ``import algan_sklearn`` and
the command line's ``--help`` do not pay for importing torch.
"""

import importlib

from ._version import __version__

#: Public name -> module that defines it.
_EXPORTS = {
    "ALGANDetector": "._detector",
    "TrainingDivergedError": "._training",
    "GaussianMixtureDetector": ".baselines",
    "KNNDetector": ".baselines",
    "ZScoreDetector": ".baselines",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
