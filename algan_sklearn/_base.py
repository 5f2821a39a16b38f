"""Shared plumbing of the package's outlier detectors: contamination and batching."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils.validation import check_is_fitted

from ._constant import ConstantColumns
from .utils._compat import Interval, StrOptions, _fit_context
from .utils._validation import validate_data

#: Rows per block when a detector scores in batches: bounds the float64 working copies
#: (65,536 rows of 20 features take 10 MiB) whatever the number of rows.
SCORE_BLOCK_ROWS = 65536


def lower_fence(scores):
    """Tukey's lower fence ``Q1 - 1.5 * IQR`` of ``scores`` (the box-plot outlier rule).

    Parameters
    ----------
    scores : array-like of shape (n_samples,)

    Returns
    -------
    float
    """
    q1, q3 = np.percentile(scores, [25.0, 75.0])
    return float(q1 - 1.5 * (q3 - q1))


def pow2_scale(max_abs):
    """Powers of two ``s >= max_abs / 2`` (1 where ``max_abs`` is 0).

    Dividing by a power of two is exact, so data divided by ``pow2_scale(max|X|)``
    lies in ``[-2, 2]`` with no rounding: sums of squares of it cannot overflow
    however large the finite input values are.

    Parameters
    ----------
    max_abs : float or ndarray of float, finite and >= 0

    Returns
    -------
    float or ndarray of float
    """
    max_abs = np.asarray(max_abs, dtype=np.float64)
    _, exponent = np.frexp(np.where(max_abs > 0, max_abs, 1.0))
    return np.ldexp(1.0, exponent - 1)


def score_in_blocks(X, score_block, block_rows=SCORE_BLOCK_ROWS):
    """Apply ``score_block`` to float64 copies of consecutive row blocks of ``X``.

    The extra memory is one block, not a copy of ``X``; ``score_block`` must score
    each row independently of the others, so results do not depend on the blocks.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    score_block : callable
        Maps a float64 array of shape (n, n_features) to scores of shape (n,).
    block_rows : int

    Returns
    -------
    ndarray of shape (n_samples,), float64
    """
    out = np.empty(X.shape[0], dtype=np.float64)
    for start in range(0, X.shape[0], block_rows):
        block = np.asarray(X[start : start + block_rows], dtype=np.float64)
        out[start : start + block.shape[0]] = score_block(block)
    return out


class BaseDetector(OutlierMixin, BaseEstimator):
    """Base class: validation, constant columns, ``offset_``, ``decision_function``, ``predict``.

    :meth:`fit` validates ``X``, sets constant columns aside (``_constant.py``) and
    calls the subclass's ``_fit`` on the other columns; ``_fit`` must set ``offset_``
    (:meth:`_set_offset` or :meth:`_set_offset_from_scores`). Subclasses score
    through either ``_score_block`` (scores, higher = more normal, of a float64
    block of validated rows) or ``_score_samples`` (the same for all validated rows
    at once); both see the non-constant columns only.
    """

    _parameter_constraints: dict = {
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
    }
    #: dtypes ``_fit`` accepts without a copy (the first is the one others are cast to).
    _fit_dtype = np.float64

    def _check_params(self):
        """Check parameters that scikit-learn's constraints cannot express (before the data)."""

    def _fit(self, X):
        raise NotImplementedError

    def _fit_all_constant(self, X):
        """Fit when every column is constant: training rows score 0, and so does the threshold."""
        self._set_offset_from_scores(np.zeros(1))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the detector on normal rows ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows, assumed normal (novelty detection). Not modified.
        y : Ignored
            Present for API consistency.

        Returns
        -------
        self : object
            The fitted detector.

        Raises
        ------
        ValueError
            If ``X`` holds NaN or infinity, is not 2-D, is empty, has time-like
            columns, or a parameter is invalid.
        TrainingDivergedError
            (:class:`~algan_sklearn.ALGANDetector`) If a training loss becomes NaN or
            infinite.
        """
        self._check_params()
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, name)  # nothing of a previous fit survives a new one
        # float32 input stays float32 here, so constant columns follow float32 rounding
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        constant = ConstantColumns(X)
        if constant.keep.any():
            dtypes = self._fit_dtype if isinstance(self._fit_dtype, tuple) else (self._fit_dtype,)
            Xk = constant.drop(X)
            self._fit(Xk if Xk.dtype in dtypes else Xk.astype(dtypes[0]))
        else:  # every column constant: every training row is the same point
            self._fit_all_constant(X)
        if constant.mask.any():
            constant.set_floor(constant.score(X, self._score_samples), self.offset_)
        self.constant_columns_ = constant
        return self

    def _set_offset_from_scores(self, scores):
        """Set ``offset_`` from scores of normal rows: Tukey's lower fence or the percentile."""
        if self.contamination == "auto":
            self.offset_ = lower_fence(scores)
        else:
            self.offset_ = float(np.percentile(scores, 100.0 * self.contamination))

    def _set_offset(self, X, auto_offset=None):
        """Set ``offset_`` from the validated training rows ``X``.

        ``contamination='auto'``: ``auto_offset`` if given, else Tukey's lower fence of
        the training scores. A float: that percentile of the training scores.
        """
        if self.contamination != "auto":
            self.offset_ = float(np.percentile(self._score_samples(X), 100.0 * self.contamination))
        elif auto_offset is None:
            self.offset_ = lower_fence(self._score_samples(X))
        else:
            self.offset_ = float(auto_offset)

    def _score_samples(self, X):
        """Scores of validated ``X``: by default ``_score_block`` over blocks of rows."""
        return score_in_blocks(X, self._score_block, SCORE_BLOCK_ROWS)

    def score_samples(self, X):
        """Opposite of the anomaly score: higher = more normal (what it is: the class's docstring).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score. Not modified.

        Returns
        -------
        scores : ndarray of shape (n_samples,), float64
            Finite for every finite input. Computed in blocks of rows, so the extra
            memory does not grow with ``n_samples``, and each row's score does not
            depend on the other rows. A row with an unseen value in a constant
            training column scores below every training row (:ref:`constant_columns`).

        Raises
        ------
        ValueError
            If ``X`` holds NaN or infinity or has the wrong number of features.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self.constant_columns_.score(X, self._score_samples)

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
