"""Per-feature z-score outlier detector."""

import numpy as np

from .._base import BaseDetector, pow2_scale
from ..utils._compat import StrOptions


class ZScoreDetector(BaseDetector):
    """Outlier detection by per-feature z-scores from the training mean and std.

    Each feature is standardised with the training mean and standard deviation,
    and the squared z-scores are aggregated; ``score_samples`` returns the negative
    aggregate. Moments are computed on the data
    divided by a per-feature power of two (exact), so huge finite values cannot
    overflow them.

    Columns constant in the training rows follow the package-wide rule
    (:ref:`constant_columns`). Read more in the User Guide (:doc:`/user_guide/scores`).

    Parameters
    ----------
    method : {'mean', 'max'}, default='mean'
        Aggregate of the squared z-scores over features: their mean (the benchmark's
        z-score baseline) or their maximum.
    contamination : 'auto' or float in (0, 0.5], default='auto'
        Sets ``offset_`` from the scores of the held-out rows (``calibration_fraction``;
        the training rows' own scores when none are held out). With ``'auto'``, the
        threshold is Tukey's lower fence ``Q1 - 1.5 * IQR`` of them (the box-plot
        outlier rule, which assumes no distribution). With a float, ``offset_`` is that
        percentile of them, so that about that share of new normal rows is flagged.
    calibration_fraction : float in [0, 0.5], default=0.1
        Share of the training rows held out from the moments (drawn with the fixed seed
        ``CALIBRATION_SEED = 0``); ``offset_`` and :meth:`pvalues` use their scores.
        At least 50 rows (or a fifth of the rows); none with 0 or under 25 rows.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features_in_,)
        Per-feature training mean, in units of ``feature_scale_``.
    std_ : ndarray of shape (n_features_in_,)
        Per-feature training standard deviation, in units of ``feature_scale_``.
    feature_scale_ : ndarray of shape (n_features_in_,)
        Per-feature power of two by which the data are divided first (exactly),
        so that the moments of huge finite values cannot overflow.
    offset_ : float
    n_calibration_ : int
        Number of training rows held out (0: none).
    calibration_scores_ : ndarray of shape (n_calibration_,)
        Scores of the held-out rows (of the training rows when none are held out).
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

    def __init__(self, *, method="mean", contamination="auto", calibration_fraction=0.1):
        self.method = method
        self.contamination = contamination
        self.calibration_fraction = calibration_fraction

    def _fit(self, X, X_calibration=None):
        self.feature_scale_ = pow2_scale(np.max(np.abs(X), axis=0))
        Xs = X / self.feature_scale_
        self.mean_ = Xs.mean(axis=0)
        std = np.sqrt(np.mean(np.square(Xs - self.mean_), axis=0))
        # Constant columns never reach here (``_constant.py``), so every std is positive.
        self.std_ = std
        return self

    def _score_block(self, X):
        with np.errstate(over="ignore"):
            z2 = np.square((X / self.feature_scale_ - self.mean_) / self.std_)
            agg = z2.mean(axis=1) if self.method == "mean" else z2.max(axis=1)
        return -np.minimum(agg, np.finfo(np.float64).max)

    def _score_contributions(self, X):
        """Per-feature terms of the score (higher = more normal) of validated ``X``; reference score 0."""
        with np.errstate(over="ignore"):
            z2 = np.minimum(np.square((X / self.feature_scale_ - self.mean_) / self.std_), np.finfo(np.float64).max)
        if self.method == "mean":
            return -z2 / X.shape[1], 0.0
        contributions = np.zeros_like(z2)
        rows = np.arange(len(z2))
        top = np.argmax(z2, axis=1)
        contributions[rows, top] = -z2[rows, top]
        return contributions, 0.0
