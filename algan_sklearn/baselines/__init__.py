"""Baseline outlier detectors with the same API as :class:`~algan_sklearn.ALGANDetector`."""

from ._gmm import GaussianMixtureDetector
from ._knn import KNNDetector
from ._zscore import ZScoreDetector

__all__ = ["GaussianMixtureDetector", "KNNDetector", "ZScoreDetector"]
