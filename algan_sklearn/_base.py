"""Shared plumbing of the package's outlier detectors: contamination and batching."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils.validation import check_is_fitted

from .utils._compat import Interval, StrOptions


class BaseDetector(OutlierMixin, BaseEstimator):
    """Base class: ``offset_`` from ``contamination``, ``decision_function`` and ``predict``.

    Subclasses implement ``fit`` (which must call :meth:`_set_offset`) and
    ``score_samples`` (higher = more normal).
    """

    _parameter_constraints: dict = {
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
    }

    #: ``offset_`` used when ``contamination='auto'``; subclasses document its meaning.
    _auto_offset = 0.0

    def _set_offset(self, X):
        if self.contamination == "auto":
            self.offset_ = float(self._auto_offset)
        else:
            self.offset_ = float(np.percentile(self.score_samples(X), 100.0 * self.contamination))

    def decision_function(self, X):
        """Shifted opposite anomaly score: ``score_samples(X) - offset_``.

        Negative values are outliers, positive values inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,), float64
        """
        check_is_fitted(self)
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Label each row as inlier (+1) or outlier (-1).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,), int
            +1 where ``decision_function(X) >= 0``, else -1.
        """
        return np.where(self.decision_function(X) < 0, -1, 1)
