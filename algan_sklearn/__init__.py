"""ALGAN anomaly detection as a scikit-learn outlier detector.

Murase & Fukumizu, "ALGAN: Anomaly Detection by Generating Pseudo Anomalous Data
via Latent Variables", IEEE Access, 2022.
"""

from ._detector import ALGANDetector
from ._training import TrainingDivergedError
from .baselines import GaussianMixtureDetector, KNNDetector, ZScoreDetector

__version__ = "0.1.0"

__all__ = [
    "ALGANDetector",
    "GaussianMixtureDetector",
    "KNNDetector",
    "ZScoreDetector",
    "TrainingDivergedError",
    "__version__",
]
