"""Per-feature z-score outlier detector."""

import numpy as np
from scipy.stats import chi2
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from .._base import BaseDetector
from ..utils._compat import StrOptions, _fit_context, validate_data


class ZScoreDetector(BaseDetector):
    """Outlier detection by per-feature z-scores from the training mean and std.

    Each feature is standardised with the training mean and standard deviation
    (features with zero variance get scale 1, as in
    :class:`sklearn.preprocessing.StandardScaler`), and the squared z-scores are
    aggregated; ``score_samples`` returns the negative aggregate.

    Parameters
    ----------
    method : {'mean', 'max'}, default='mean'
        Aggregate of the squared z-scores over features: their mean (the benchmark's
        z-score baseline) or their maximum.
    contamination : 'auto' or float in (0, 0.5], default='auto'
        Sets ``offset_``. With ``'auto'``, the threshold is the 99.9% quantile of the
        aggregate for independent Gaussian features (chi-square with ``n_features``
        degrees of freedom divided by ``n_features`` for 'mean'; the per-feature
        0.999 ** (1 / n_features) quantile of chi-square with 1 degree of freedom
        for 'max'). With a float, ``offset_`` is that percentile of the training scores.

    Attributes
    ----------
    scaler_ : StandardScaler
    offset_ : float
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    See Also
    --------
    algan_sklearn.ALGANDetector
    algan_sklearn.KNNDetector

    Examples
    --------
    >>> from algan_sklearn import ZScoreDetector
    >>> X = [[0.0, 1.0], [1.0, 0.0], [-1.0, 0.0], [0.0, -1.0]]
    >>> ZScoreDetector().fit(X).predict([[0.0, 0.0], [30.0, 0.0]])
    array([ 1, -1])
    """

    _parameter_constraints: dict = {
        **BaseDetector._parameter_constraints,
        "method": [StrOptions({"mean", "max"})],
    }

    def __init__(self, *, method="mean", contamination="auto"):
        self.method = method
        self.contamination = contamination

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Estimate the per-feature mean and standard deviation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self : ZScoreDetector
        """
        X = validate_data(self, X, dtype=np.float64)
        self.scaler_ = StandardScaler().fit(X)
        d = X.shape[1]
        if self.method == "mean":
            self._auto_offset = -chi2.ppf(0.999, d) / d
        else:
            self._auto_offset = -chi2.ppf(0.999 ** (1.0 / d), 1)
        self._set_offset(X)
        return self

    def score_samples(self, X):
        """Negative aggregate of squared z-scores (higher = more normal).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,), float64
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        with np.errstate(over="ignore"):
            z2 = np.square((X - self.scaler_.mean_) / self.scaler_.scale_)
            agg = z2.mean(axis=1) if self.method == "mean" else z2.max(axis=1)
        return -np.minimum(agg, np.finfo(np.float64).max)
