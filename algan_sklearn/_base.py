"""Shared plumbing of the package's outlier detectors: held-out threshold, p-values and batching."""

import contextlib
import warnings
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils.validation import check_is_fitted

from ._calibration import (  # noqa: F401 (re-exported)
    CALIBRATION_SEED,
    MIN_CALIBRATION_ROWS,
    SMALLEST_CALIBRATION,
    _training_rows_needed,
    calibration_rows,
    held_out_rows_needed,
    held_out_threshold,
    lower_fence,
    split_rows,
    warn_if_too_few_held_out,
)
from ._constant import ConstantColumns
from .utils._compat import Interval, StrOptions, _fit_context
from .utils._random import seed_from_random_state
from .utils._validation import validate_data

#: Rows per block when a detector scores in batches: bounds the float64 working copies
#: (65,536 rows of 20 features take 10 MiB) whatever the number of rows.
SCORE_BLOCK_ROWS = 65536


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
    """Base class: validation, constant columns, the held-out threshold, p-values, scoring.

    :meth:`fit` validates ``X`` and holds out ``calibration_fraction`` of the rows
    (:func:`calibration_rows`, split by :func:`split_rows`); on the others it sets
    constant columns aside (``_constant.py``) and calls the subclass's
    ``_fit(X, X_calibration)`` on the other columns, where ``X_calibration`` is the
    held-out rows (same columns; None when none are held out) for a detector that
    needs them beyond the threshold (ALGAN fits D's weight on them). Then the base
    scores the held-out rows and sets ``offset_``, ``calibration_scores_`` and
    ``n_calibration_`` (:meth:`_calibrate`); without held-out rows ``offset_`` comes
    from the training rows (``_offset_without_held_out``). Subclasses score through
    either ``_score_block`` (scores, higher = more normal, of a float64 block of
    validated rows) or ``_score_samples`` (the same for all validated rows at once);
    both see the non-constant columns only.
    """

    _parameter_constraints: dict = {
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "calibration_fraction": [Interval(Real, 0, 0.5, closed="both")],
    }
    #: dtypes ``_fit`` accepts without a copy (the first is the one others are cast to).
    _fit_dtype = np.float64

    def _check_params(self):
        """Check parameters that scikit-learn's constraints cannot express (before the data)."""

    def _fit(self, X, X_calibration):
        """Fit on the training rows ``X``; ``X_calibration``: the held-out rows or None. Sets no ``offset_``."""
        raise NotImplementedError

    def _fit_all_constant(self, X):
        """Fit when every training column is constant (set fitted attributes ``_fit`` would set, if any)."""

    def _calibration_seed(self):
        """Seed of the held-out split: from ``random_state`` if the detector has one, else ``CALIBRATION_SEED``."""
        if "random_state" in self.get_params(deep=False):
            return seed_from_random_state(self.random_state)
        return CALIBRATION_SEED

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the detector on normal rows ``X``, holding some out to set the threshold.

        ``calibration_fraction`` of the rows (at least 50, or a fifth of the rows; none
        with fewer than 25 rows or ``calibration_fraction=0``) are held out at random:
        the model is fitted on the others, and ``offset_`` and :meth:`pvalues` come from
        the scores of the held-out rows, so that a threshold carries over to new rows.

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

        Warns
        -----
        UserWarning
            If a float ``contamination`` needs more held-out rows than there are
            (``contamination * (n_calibration_ + 1) < 1``), or none could be held out
            from fewer than 25 rows; the message says how many rows are needed.
        """
        self._check_params()
        self._forget_fit()
        with self._unfitted_on_failure():
            return self._validate_and_fit(X)

    def _validate_and_fit(self, X):
        """The body of :meth:`fit`: validate, hold rows out, fit."""
        # float32 input stays float32 here, so constant columns follow float32 rounding
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        fraction = float(self.calibration_fraction)
        n_cal = calibration_rows(X.shape[0], fraction)
        fit_rows, held_out = split_rows(X.shape[0], n_cal, self._calibration_seed())
        if n_cal:
            warn_if_too_few_held_out(self.contamination, n_cal, X.shape[0], fraction, stacklevel=5)
        elif fraction > 0 and self.contamination != "auto":
            warnings.warn(
                f"No rows held out from {X.shape[0]} training rows (calibration_rows needs at least "
                f"{SMALLEST_CALIBRATION * 5}): offset_ is the contamination={self.contamination:g} percentile "
                "of the training rows' own scores, which new rows fall below more often.",
                UserWarning,
                stacklevel=4,
            )
        return self._fit_held_out(X[fit_rows], X[held_out] if n_cal else None)

    @_fit_context(prefer_skip_nested_validation=True)
    def _fit_with_held_out_rows(self, X, X_calibration):
        """:meth:`fit` with the held-out rows given (:class:`~algan_sklearn.conformal.ConformalDetector`).

        ``X`` are the training rows, ``X_calibration`` the held-out rows that set the
        threshold; ``calibration_fraction`` is not used.
        """
        self._check_params()
        self._forget_fit()
        with self._unfitted_on_failure():
            X = validate_data(self, X, dtype=[np.float64, np.float32])
            X_calibration = validate_data(self, X_calibration, dtype=[np.float64, np.float32], reset=False)
            warn_if_too_few_held_out(self.contamination, X_calibration.shape[0], stacklevel=6)
            return self._fit_held_out(X, X_calibration)

    def _forget_fit(self):
        """Delete every fitted attribute: nothing of a previous fit survives a new one."""
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, name)

    @contextlib.contextmanager
    def _unfitted_on_failure(self):
        """Forget every fitted attribute when the fit inside fails or is interrupted, and re-raise.

        A fit that diverges (``TrainingDivergedError``), is interrupted
        (``KeyboardInterrupt``) or fails in any other way leaves the detector unfitted,
        never half-fitted: ``predict`` then raises ``NotFittedError``.
        """
        try:
            yield
        except BaseException:
            self._forget_fit()
            raise

    def _fit_held_out(self, X, X_calibration):
        """Fit on validated rows ``X`` and set the threshold from validated held-out rows (None: none).

        The one fitting stage of every detector, also used by
        :class:`~algan_sklearn.conformal.ConformalDetector` with its own held-out rows.
        """
        constant = ConstantColumns(X)
        if constant.keep.any():
            dtypes = self._fit_dtype if isinstance(self._fit_dtype, tuple) else (self._fit_dtype,)

            def kept(rows):
                rows = constant.drop(rows)
                return rows if rows.dtype in dtypes else rows.astype(dtypes[0])

            self._fit(kept(X), None if X_calibration is None else kept(X_calibration))
        else:  # every column constant: every training row is the same point
            self._fit_all_constant(X)
        self._calibrate(constant, X, X_calibration)
        self.constant_columns_ = constant
        return self

    def _calibrate(self, constant, X, X_calibration):
        """Set ``offset_``, ``calibration_scores_``, ``n_calibration_`` and the constant-column floor.

        ``X``: the validated training rows; ``X_calibration``: the held-out rows or None.
        A held-out row with an unseen value in a constant training column scores below
        every other held-out and training row; when more of them than the
        ``contamination`` share lie below the threshold, the floor moves below
        ``offset_`` so that every such row is still flagged.
        """
        train = constant.score_kept(X, self._score_samples) if X_calibration is None or constant.mask.any() else None
        if X_calibration is None:
            self.n_calibration_ = 0
            self.calibration_scores_ = train
            self.offset_ = float(self._offset_without_held_out(constant.drop(X), train))
            if constant.mask.any():
                constant.set_floor(train, self.offset_)
            return
        kept = constant.score_kept(X_calibration, self._score_samples)
        scores = kept
        if constant.mask.any():
            both = np.concatenate([train, kept])
            constant.set_floor(both, np.inf)
            scores = constant.cap(X_calibration, kept)
        self.offset_ = held_out_threshold(scores, self.contamination)
        if constant.mask.any() and self.offset_ <= constant.floor:
            constant.set_floor(both, self.offset_)
            scores = constant.cap(X_calibration, kept)
        self.n_calibration_ = int(X_calibration.shape[0])
        self.calibration_scores_ = scores

    def _offset_without_held_out(self, X, scores):
        """``offset_`` from the training rows' own ``scores`` (``X``: their non-constant columns).

        Tukey's lower fence (``'auto'``) or numpy's percentile, so that the share of
        training rows flagged is ``contamination`` (scikit-learn's convention).
        """
        if self.contamination == "auto":
            return lower_fence(scores)
        return float(np.percentile(scores, 100.0 * self.contamination))

    def pvalues(self, X):
        """Conformal p-values of the rows of ``X`` against the held-out calibration rows.

        ``p(x) = (1 + #{calibration rows scoring at most s(x)}) / (n_calibration_ + 1)``
        (Bates et al., Annals of Statistics, 2023): for a new row drawn like the
        training rows, ``P(p(x) <= a) <= a`` for every ``a``. Combine with
        :func:`algan_sklearn.conformal.benjamini_hochberg` (passing
        ``n_calibration=n_calibration_``) to flag rows at a chosen false discovery
        rate. Read more in the User Guide (:ref:`pvalues`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        pvalues : ndarray of shape (n_samples,), float64
            In ``[1 / (n_calibration_ + 1), 1]``; small for anomalous rows.

        Raises
        ------
        ValueError
            If no training rows were held out (``calibration_fraction=0`` or fewer
            than 25 training rows): scores of the rows the model was fitted on do
            not give valid p-values.
        """
        from .conformal import conformal_pvalues

        check_is_fitted(self)
        if self.n_calibration_ == 0:
            raise ValueError(
                "pvalues needs rows held out from training: fit with calibration_fraction > 0 on at least 25 rows."
            )
        return conformal_pvalues(self.calibration_scores_, self.score_samples(X))

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
