"""Columns that are constant in the training data, for every detector of the package.

A column whose training values agree up to float rounding carries no spread to learn
from: dividing by its last-bit spread (a standard deviation of 1e-15, or of 0) makes
scores overflow, and where its constant lies (20 degrees Celsius or 293.15 kelvin)
must not change a verdict. So every detector fits on the other columns only, and at
scoring a row whose value in a constant column differs from the training value has
never been seen: it scores below every training row (and below ``offset_``), so it is
flagged, whatever the column's units and origin. Read more in the User Guide
(:ref:`constant_columns`).
"""

import numpy as np

#: Relative spread below which a float64 column is constant (about 1e7 times the
#: float64 rounding error, far below any measured spread).
RTOL_FLOAT64 = 1e-9
#: The same for float32 input (about 8 float32 rounding errors).
RTOL_FLOAT32 = 1e-6


def _rtol(dtype):
    return RTOL_FLOAT32 if np.dtype(dtype) == np.float32 else RTOL_FLOAT64


class ConstantColumns:
    """Which training columns are constant, their values, and the score of unseen values.

    A column is constant when ``max - min <= rtol * max(|min|, |max|)`` over the
    training rows (``rtol`` 1e-9 for float64 input, 1e-6 for float32). At scoring, a
    value within ``rtol * max(|min|, |max|)`` of ``[min, max]`` is the training
    value; any other value is unseen.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Validated training rows (finite).

    Attributes
    ----------
    mask : ndarray of shape (n_features,), bool
        True for the constant columns.
    low, high : ndarray of shape (n_constant,), float64
        The accepted range of each constant column, rounding tolerance included.
    floor : float or None
        Set by :meth:`set_floor`: the highest score a row with an unseen value can get.
    """

    def __init__(self, X):
        big = np.finfo(np.float64).max
        self.rtol = _rtol(X.dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            lo = X.min(axis=0).astype(np.float64) if X.shape[0] else np.zeros(X.shape[1])
            hi = X.max(axis=0).astype(np.float64) if X.shape[0] else np.zeros(X.shape[1])
            magnitude = np.maximum(np.abs(lo), np.abs(hi))
            tol = self.rtol * magnitude
            self.mask = (hi - lo) <= tol  # an overflowing spread (inf) is not constant
            # bounds stay finite at the float64 extremes
            self.low = np.maximum(lo[self.mask] - tol[self.mask], -big)
            self.high = np.minimum(hi[self.mask] + tol[self.mask], big)
        self.magnitude = magnitude[self.mask]
        self.value = 0.5 * lo[self.mask] + 0.5 * hi[self.mask]
        self.floor = None

    @property
    def keep(self):
        """Boolean mask of the columns the detector is fitted on (the non-constant ones)."""
        return ~self.mask

    def drop(self, X):
        """``X`` without its constant columns (``X`` itself when there are none; else a C-ordered copy)."""
        return X if not self.mask.any() else np.compress(self.keep, X, axis=1)

    def insert(self, Xk):
        """Rows over the non-constant columns, completed with the constant columns' values."""
        if not self.mask.any():
            return Xk
        X = np.empty((Xk.shape[0], self.mask.size), dtype=Xk.dtype)
        X[:, self.keep] = Xk
        X[:, self.mask] = self.value
        return X

    def unseen(self, X):
        """Boolean array (n_samples, n_constant): True where a constant column's value was never seen."""
        if not self.mask.any():
            return np.zeros((X.shape[0], 0), dtype=bool)
        Xc = np.asarray(X[:, self.mask], dtype=np.float64)
        # A float32 row can only match a float64 training value up to float32 rounding.
        slack = (max(self.rtol, _rtol(X.dtype)) - self.rtol) * self.magnitude
        return (Xc < self.low - slack) | (Xc > self.high + slack)

    def n_unseen(self, X):
        """Per row, the number of constant columns whose value was never seen in training."""
        return np.count_nonzero(self.unseen(X), axis=1)

    def set_floor(self, training_scores, offset):
        """Fix the score cap of unseen rows: strictly below every training score and ``offset``."""
        low = min(float(np.min(training_scores)) if len(training_scores) else 0.0, float(offset))
        self.margin = max(1.0, 1e-6 * abs(low))
        self.floor = max(low - self.margin, -np.finfo(np.float64).max / 2)

    def score(self, X, scorer):
        """Scores of validated ``X``: ``scorer`` on the non-constant columns, capped for unseen rows.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        scorer : callable
            Scores (higher = more normal) of rows restricted to the non-constant columns.

        Returns
        -------
        ndarray of shape (n_samples,), float64
            A row with ``m >= 1`` unseen constant values gets
            ``min(score, floor) - (m - 1) * margin``: below every training row, lower
            the more columns it breaks, and finite.
        """
        return self.cap(X, self.score_kept(X, scorer))

    def score_kept(self, X, scorer):
        """``scorer`` of the non-constant columns of ``X`` (zeros when every column is constant)."""
        if self.keep.any():
            return np.asarray(scorer(self.drop(X)), dtype=np.float64)
        return np.zeros(X.shape[0], dtype=np.float64)  # every training row is the same point

    def cap(self, X, scores):
        """``scores`` of the rows of ``X``, capped below ``floor`` where a constant column's value is unseen."""
        scores = np.array(scores, dtype=np.float64)
        if self.floor is None:
            return scores
        n_unseen = self.n_unseen(X)
        off = n_unseen > 0
        if off.any():
            capped = np.minimum(scores[off], self.floor) - (n_unseen[off] - 1) * self.margin
            scores[off] = np.maximum(capped, -np.finfo(np.float64).max)
        return scores
