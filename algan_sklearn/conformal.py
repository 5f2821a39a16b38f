"""Conformal p-values from held-out scores, and the Benjamini-Hochberg procedure.

A detector's ``score_samples`` has no fixed scale. Compared with the scores of
normal rows the model was not fitted on (for :class:`~algan_sklearn.ALGANDetector`,
its ``calibration_scores_``), a score becomes a p-value: the probability that a
normal row scores at most as high. For a new normal row exchangeable with the
calibration rows the p-value is uniformly distributed (marginally), so flagging rows
with ``p <= a`` has a false-alarm rate of at most ``a``; the Benjamini-Hochberg
procedure flags rows among many while keeping the expected share of false alarms
among the flagged rows (the false discovery rate) at most ``alpha`` (Bates et al.,
"Testing for outliers with conformal p-values", Annals of Statistics, 2023).

Examples
--------
>>> import numpy as np
>>> from algan_sklearn.conformal import benjamini_hochberg, conformal_pvalues
>>> calibration = np.arange(99.0)  # scores of 99 held-out normal rows
>>> p = conformal_pvalues(calibration, [-5.0, 50.0])
>>> p.round(2).tolist()
[0.01, 0.52]
>>> benjamini_hochberg(p, alpha=0.1).tolist()
[True, False]
"""

import math
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, OutlierMixin, clone
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted

from ._base import BaseDetector
from .utils._compat import HasMethods, Interval, _fit_context
from .utils._random import seed_from_random_state

__all__ = ["ConformalDetector", "benjamini_hochberg", "conformal_pvalues"]


def conformal_pvalues(calibration_scores, scores):
    """Marginal conformal p-values of ``scores`` against held-out normal scores.

    ``p(x) = (1 + #{j : calibration_j <= s(x)}) / (n + 1)`` for a score ``s(x)``
    (higher = more normal), ``n`` calibration scores.

    Parameters
    ----------
    calibration_scores : array-like of shape (n_calibration,)
        ``score_samples`` of normal rows the detector was not fitted on.
    scores : array-like of shape (n_samples,)
        ``score_samples`` of the rows to test.

    Returns
    -------
    pvalues : ndarray of shape (n_samples,), float64, in ``[1 / (n + 1), 1]``
        Small for rows that score lower than most calibration rows.

    Raises
    ------
    ValueError
        If there is no calibration score, or a score is NaN.
    """
    cal = np.sort(np.asarray(calibration_scores, dtype=np.float64).ravel())
    s = np.asarray(scores, dtype=np.float64).ravel()
    if cal.size == 0:
        raise ValueError("conformal p-values need at least one calibration score.")
    if np.isnan(cal).any() or np.isnan(s).any():
        raise ValueError("conformal p-values need scores without NaN.")
    return (1.0 + np.searchsorted(cal, s, side="right")) / (cal.size + 1.0)


def benjamini_hochberg(pvalues, alpha=0.1, *, n_calibration=None):
    """Rows flagged by the Benjamini-Hochberg procedure at false discovery rate ``alpha``.

    Sorts the p-values, finds the largest ``k`` with ``p_(k) <= alpha * k / m``, and
    flags the ``k`` rows with the smallest p-values (Benjamini & Hochberg, 1995).

    Conformal p-values from ``n`` calibration rows are at least ``1 / (n + 1)``: when
    that is above ``alpha / m``, one anomalous row among ``m`` cannot be flagged however
    anomalous it is (only groups of at least ``m / (alpha (n + 1))`` rows scoring below
    every calibration row can). Pass ``n_calibration`` (the detector's
    ``n_calibration_``) to be warned, with the number of calibration rows needed.

    Parameters
    ----------
    pvalues : array-like of shape (n_samples,)
        Values in ``[0, 1]``, e.g. from :func:`conformal_pvalues`.
    alpha : float in (0, 1), default=0.1
        Target false discovery rate.
    n_calibration : int >= 1, default=None
        Number of calibration rows behind conformal ``pvalues``; None: no check.

    Returns
    -------
    flagged : ndarray of shape (n_samples,), bool

    Raises
    ------
    ValueError
        If ``alpha`` is not in (0, 1), a p-value is outside ``[0, 1]`` or NaN, or
        ``n_calibration`` is not a positive int.

    Warns
    -----
    UserWarning
        If ``1 / (n_calibration + 1) > alpha / m``: says how many calibration rows one
        flagged row among ``m`` needs (``m / alpha - 1``).
    """
    p = np.asarray(pvalues, dtype=np.float64).ravel()
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}.")
    if p.size and not ((p >= 0.0) & (p <= 1.0)).all():
        raise ValueError("p-values must lie in [0, 1] (and not be NaN).")
    m = p.size
    if n_calibration is not None:
        if not isinstance(n_calibration, Integral) or isinstance(n_calibration, bool) or n_calibration < 1:
            raise ValueError(f"n_calibration must be a positive int, got {n_calibration!r}.")
        _warn_if_bh_cannot_flag(alpha, m, int(n_calibration))
    order = np.argsort(p, kind="stable")
    below = p[order] <= alpha * np.arange(1, m + 1) / m
    flagged = np.zeros(m, dtype=bool)
    if below.any():
        k = int(np.flatnonzero(below)[-1]) + 1
        flagged[order[:k]] = True
    return flagged


def _warn_if_bh_cannot_flag(alpha, m, n_calibration):
    """Warn when the smallest conformal p-value, ``1 / (n + 1)``, is above BH's smallest threshold ``alpha / m``."""
    smallest = 1.0 / (n_calibration + 1)
    if m == 0 or smallest * m <= alpha * (1 + 1e-12):
        return
    needed = math.ceil(m / alpha - 1 - 1e-9)
    group = math.ceil(m / (alpha * (n_calibration + 1)) - 1e-9)
    what = (
        "cannot flag any row"
        if group > m
        else f"can only flag a group of at least {group} rows that all score below every calibration row"
    )
    warnings.warn(
        f"Benjamini-Hochberg at alpha={alpha:g} among {m} rows {what}: with {n_calibration} calibration rows "
        f"no p-value is below 1/{n_calibration + 1} = {smallest:.3g}, above alpha/m = {alpha / m:.3g}. "
        f"Flagging a single row among {m} needs at least {needed} calibration rows (or fewer rows tested at once).",
        UserWarning,
        stacklevel=3,
    )


class ConformalDetector(MetaEstimatorMixin, OutlierMixin, BaseEstimator):
    """Any outlier detector with conformal p-values: fit on part of the rows, calibrate on the rest.

    ``fit`` holds out ``calibration_fraction`` of the (shuffled) training rows,
    fits a clone of ``estimator`` on the others, and keeps the scores of the
    held-out rows; :meth:`pvalues` compares new scores with them (split conformal
    p-values, Bates et al., 2023). Scoring methods are those of the fitted clone.
    The package's detectors hold rows out themselves and have their own ``pvalues``;
    use this wrapper for scikit-learn's detectors (``LocalOutlierFactor(novelty=True)``,
    ``IsolationForest``), Pipelines, or to hold out another share of the rows. When
    the detector (or a Pipeline's last step) is one of the package's, it is fitted by
    its own held-out stage with this wrapper's held-out rows (its
    ``calibration_fraction`` is not used): its ``offset_``, ``calibration_scores_``
    and ``pvalues`` are this wrapper's, and ALGAN fits D's weight on these rows.
    Read more in the User Guide (:ref:`pvalues`).

    Parameters
    ----------
    estimator : estimator with ``fit`` and ``score_samples``
        The detector (or Pipeline) to calibrate; cloned, not modified.
    calibration_fraction : float in (0, 1), default=0.2
        Share of the training rows held out for calibration (at least one row).
    random_state : int, RandomState instance or None, default=None
        Seeds the split (None: fresh entropy; global random states untouched).

    Attributes
    ----------
    estimator_ : estimator
        The clone fitted on the rows not held out.
    calibration_scores_ : ndarray of shape (n_calibration_,)
        ``score_samples`` of the held-out rows.
    n_calibration_ : int
    offset_ : float
        The wrapped detector's threshold (of the last step of a Pipeline; NaN when it
        has none): from the held-out rows for the package's detectors.
    n_features_in_ : int
        Number of features seen during ``fit`` (when the wrapped estimator records it).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``; only when the last ``X`` had string
        column names (a refit on an array removes them).

    Examples
    --------
    >>> import numpy as np
    >>> from algan_sklearn import KNNDetector
    >>> from algan_sklearn.conformal import ConformalDetector
    >>> X = np.random.RandomState(0).normal(size=(500, 2))
    >>> det = ConformalDetector(KNNDetector(), random_state=0).fit(X)
    >>> det.pvalues([[0.0, 0.0], [6.0, 6.0]]).round(3).tolist()
    [0.99, 0.01]
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "score_samples"])],
        "calibration_fraction": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator, *, calibration_fraction=0.2, random_state=None):
        self.estimator = estimator
        self.calibration_fraction = calibration_fraction
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit ``estimator`` on part of ``X`` and score the held-out rest.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Normal rows (at least 2).
        y : Ignored

        Returns
        -------
        self : ConformalDetector

        Raises
        ------
        ValueError
            If ``X`` has fewer than 2 rows, or the wrapped estimator rejects it.
        """
        fit_rows, calibration_rows = train_test_split(
            X, test_size=self.calibration_fraction, random_state=seed_from_random_state(self.random_state)
        )
        estimator = clone(self.estimator)
        last = estimator[-1] if hasattr(estimator, "steps") else estimator
        if isinstance(last, BaseDetector):
            # the package's own held-out stage, with these held-out rows
            head = estimator[:-1] if last is not estimator and len(estimator.steps) > 1 else None
            if head is not None:
                fit_rows = head.fit_transform(fit_rows)
                calibration_rows = head.transform(calibration_rows)
            last._fit_with_held_out_rows(fit_rows, calibration_rows)
            scores = last.calibration_scores_.copy()
        else:
            scores = estimator.fit(fit_rows).score_samples(calibration_rows)
        self.estimator_ = estimator
        self.calibration_scores_ = np.asarray(scores, dtype=np.float64)
        self.n_calibration_ = int(self.calibration_scores_.size)
        self.offset_ = float(getattr(last, "offset_", np.nan))
        for name in ("n_features_in_", "feature_names_in_"):  # those of this fit only, none from an earlier one
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
            elif name in vars(self):
                delattr(self, name)
        return self

    def pvalues(self, X):
        """Conformal p-values of the rows of ``X`` (small for anomalous rows).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        pvalues : ndarray of shape (n_samples,), in ``[1 / (n_calibration_ + 1), 1]``
        """
        check_is_fitted(self)
        return conformal_pvalues(self.calibration_scores_, self.score_samples(X))

    def score_samples(self, X):
        """``estimator_.score_samples(X)`` (higher = more normal)."""
        check_is_fitted(self)
        return self.estimator_.score_samples(X)

    def decision_function(self, X):
        """``estimator_.decision_function(X)`` (negative = outlier)."""
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    def predict(self, X):
        """``estimator_.predict(X)``: +1 inlier, -1 outlier."""
        check_is_fitted(self)
        return self.estimator_.predict(X)
