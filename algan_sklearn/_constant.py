"""Columns that are constant in the training data, for every detector of the package.

A column whose training values agree up to float rounding carries no spread to learn
from: dividing by its last-bit spread (a standard deviation of 1e-15, or of 0) makes
scores overflow. So every detector fits on the other columns only, and at scoring a
row whose value in a constant column differs from the training value by more than
rounding has never been seen: it scores below every training row (and below
``offset_``), so it is flagged.

What "up to rounding" means must not depend on where the column's origin lies
(20 degrees Celsius or 293.15 kelvin, or 0 after a scaler has subtracted the mean):
the tolerance is a few float spacings at the training value, which is rounding at that
value wherever it lies, plus ``1e-9`` (float32: ``1e-6``) times the smallest range of
the other columns, which is rounding for every column the detector sees, and does not
depend on the constant at all. Read more in the User Guide (:ref:`constant_columns`).
"""

import numpy as np

#: Relative tolerance, in units of the smallest range of the non-constant columns, of
#: float64 input: far below any measured difference the detector can resolve.
RTOL_FLOAT64 = 1e-9
#: The same for float32 input.
RTOL_FLOAT32 = 1e-6
#: Float spacings (units in the last place) at the training value that count as rounding.
ROUNDING_SPACINGS = 4


def _rtol(dtype):
    return RTOL_FLOAT32 if np.dtype(dtype) == np.float32 else RTOL_FLOAT64


def _spacing(magnitude, dtype):
    """Float spacing of ``dtype`` at ``magnitude`` (float64 array; finite for every finite magnitude)."""
    if np.dtype(dtype) == np.float32:
        top = np.float64(np.finfo(np.float32).max) / 2  # spacing at the largest float32 overflows
        return np.spacing(np.minimum(magnitude, top).astype(np.float32)).astype(np.float64)
    return np.spacing(np.asarray(magnitude, dtype=np.float64))


def rounding_tolerance(magnitude, scale, dtype):
    """The rounding tolerance of a constant column for values of ``dtype``.

    ``ROUNDING_SPACINGS`` float spacings at ``magnitude`` (the training value's
    absolute value) plus ``rtol * scale`` (``scale``: the smallest range of the
    non-constant training columns, 0 when there are none; ``rtol`` 1e-9 for float64,
    1e-6 for float32). The one rule of :class:`ConstantColumns` and of the ONNX graph.

    Parameters
    ----------
    magnitude : ndarray of float64
    scale : float
    dtype : numpy dtype, float32 or float64

    Returns
    -------
    ndarray of float64, same shape as ``magnitude``
    """
    return ROUNDING_SPACINGS * _spacing(magnitude, dtype) + _rtol(dtype) * scale


class ConstantColumns:
    """Which training columns are constant, their values, and the score of unseen values.

    One rule for fitting and scoring, stated in :func:`rounding_tolerance`: with
    ``scale`` the smallest range (``max - min``) of the training columns that vary by
    more than ``ROUNDING_SPACINGS`` float spacings, a column is constant when its
    range is at most its tolerance, and at scoring a value within the tolerance of the
    training range ``[min, max]`` is the training value; any other value is unseen.
    The tolerance at 0 is the tolerance at 20 or at 293.15 (up to a few spacings there),
    so the verdict on ``c + delta`` does not depend on the constant ``c``; and a scaler
    in front, which moves the constant to about 0 and leaves rounding residuals of the
    size of ``c``'s spacing, brings the other columns to unit ranges, so those residuals
    are within ``1e-9`` of them.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Validated training rows (finite).

    Attributes
    ----------
    mask : ndarray of shape (n_features,), bool
        True for the constant columns.
    scale : float
        The smallest range of the varying columns (0 when there are none).
    tolerance : ndarray of shape (n_constant,), float64
        The rounding tolerance of each constant column for values of the training dtype.
    low, high : ndarray of shape (n_constant,), float64
        The accepted range of each constant column, rounding tolerance included.
    floor : float or None
        Set by :meth:`set_floor`: the highest score a row with an unseen value can get.
    """

    def __init__(self, X):
        self.dtype = np.dtype(X.dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            lo = X.min(axis=0).astype(np.float64) if X.shape[0] else np.zeros(X.shape[1])
            hi = X.max(axis=0).astype(np.float64) if X.shape[0] else np.zeros(X.shape[1])
            magnitude = np.maximum(np.abs(lo), np.abs(hi))
            spread = hi - lo  # an overflowing spread (inf) is not constant
            varying = spread > ROUNDING_SPACINGS * _spacing(magnitude, self.dtype)
            self.scale = float(np.min(spread[varying])) if varying.any() else 0.0
            self.scale = min(self.scale, float(np.finfo(np.float64).max))
            tolerance = rounding_tolerance(magnitude, self.scale, self.dtype)
            self.mask = spread <= tolerance
        self._lo, self._hi = lo[self.mask], hi[self.mask]
        self.magnitude = magnitude[self.mask]
        self.tolerance = tolerance[self.mask]
        self.low, self.high = self.bounds(self.dtype)
        self.value = 0.5 * self._lo + 0.5 * self._hi
        self.floor = None

    def bounds(self, dtype):
        """``(low, high)``: the values of each constant column accepted in rows of ``dtype``.

        A float32 row matches a float64 training value only up to float32 rounding, so
        the tolerance is the larger of the training dtype's and ``dtype``'s.
        """
        big = np.finfo(np.float64).max
        tolerance = self.tolerance
        if np.dtype(dtype) != self.dtype:
            tolerance = np.maximum(tolerance, rounding_tolerance(self.magnitude, self.scale, dtype))
        with np.errstate(over="ignore"):  # bounds stay finite at the float64 extremes
            return np.maximum(self._lo - tolerance, -big), np.minimum(self._hi + tolerance, big)

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
        low, high = self.bounds(X.dtype)
        return (Xc < low) | (Xc > high)

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
