"""kNN distance outlier detector (Ramaswamy, Rastogi & Shim, SIGMOD 2000)."""

from numbers import Integral

import numpy as np
from sklearn.neighbors import NearestNeighbors

from .._base import BaseDetector, lower_fence, pow2_scale
from ..utils._compat import Interval, StrOptions

#: Queries are clipped to this magnitude in the internal units (training data within
#: [-2, 2]), so that squared distances cannot overflow float64; such rows still score
#: far below every training row.
QUERY_CLAMP = 1.0e100


class KNNDetector(BaseDetector):
    """Outlier detection by the distance to the nearest training rows.

    The anomaly score of a row is its (largest, mean or median) Euclidean distance to
    its ``n_neighbors`` nearest training rows; ``score_samples`` returns its negative.

    Columns constant in the training rows follow the package-wide rule
    (:ref:`constant_columns`). Read more in the User Guide (:doc:`/user_guide/scores`).

    Parameters
    ----------
    n_neighbors : int, default=5
        Number of neighbours ``k``; clipped to the number of training rows.
    method : {'largest', 'mean', 'median'}, default='largest'
        How the ``k`` distances are aggregated: the k-th distance (Ramaswamy et al.,
        2000), their mean (Angiulli & Pizzuti, 2002) or their median.
    contamination : 'auto' or float in (0, 0.5], default='auto'
        Sets ``offset_`` from the scores of the held-out rows (``calibration_fraction``):
        Tukey's lower fence ``Q1 - 1.5 * IQR`` with ``'auto'`` (a row is an outlier
        when it lies unusually far from the training data by the box-plot rule), else
        that percentile, so that about that share of new normal rows is flagged.
        Without held-out rows: the fence of the leave-one-out scores of the training
        rows (each row's distance to the *other* training rows; ``offset_ = 0`` with
        one row), or the percentile of their scores.
    calibration_fraction : float in [0, 0.5], default=0.1
        Share of the training rows held out from the neighbour index (drawn with the
        fixed seed ``CALIBRATION_SEED = 0``); ``offset_`` and :meth:`pvalues` use their
        scores. At least 50 rows (or a fifth of the rows); none with 0 or under 25 rows.
    algorithm : {'auto', 'ball_tree', 'kd_tree', 'brute'}, default='auto'
        Passed to :class:`sklearn.neighbors.NearestNeighbors`.
    n_jobs : int, default=None
        Parallel jobs for the neighbour search.

    Attributes
    ----------
    nn_ : NearestNeighbors
        Fitted neighbour index, on the training rows divided by ``scale_``.
    n_neighbors_ : int
        Number of neighbours used: ``min(n_neighbors, n_samples)``.
    scale_ : float
        Power of two by which the data are divided before the neighbour search
        (exact, so distances are unchanged); keeps squared distances of huge
        finite values from overflowing.
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
    sklearn.neighbors.LocalOutlierFactor

    References
    ----------
    .. [1] S. Ramaswamy, R. Rastogi and K. Shim, "Efficient algorithms for mining
       outliers from large data sets", SIGMOD 2000.
    .. [2] F. Angiulli and C. Pizzuti, "Fast outlier detection in high dimensional
       spaces", PKDD 2002.

    Examples
    --------
    >>> from algan_sklearn import KNNDetector
    >>> X = [[0.0], [0.1], [0.2], [0.3]]
    >>> KNNDetector(n_neighbors=2).fit(X).predict([[0.15], [5.0]])
    array([ 1, -1])
    """

    _parameter_constraints: dict = {
        **BaseDetector._parameter_constraints,
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "method": [StrOptions({"largest", "mean", "median"})],
        "algorithm": [StrOptions({"auto", "ball_tree", "kd_tree", "brute"})],
        "n_jobs": [Interval(Integral, None, -1, closed="right"), Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        n_neighbors=5,
        method="largest",
        contamination="auto",
        calibration_fraction=0.1,
        algorithm="auto",
        n_jobs=None,
    ):
        self.n_neighbors = n_neighbors
        self.method = method
        self.contamination = contamination
        self.calibration_fraction = calibration_fraction
        self.algorithm = algorithm
        self.n_jobs = n_jobs

    def _fit(self, X, X_calibration=None):
        self.n_neighbors_ = min(self.n_neighbors, X.shape[0])
        self.scale_ = float(pow2_scale(np.max(np.abs(X))))
        self.nn_ = NearestNeighbors(n_neighbors=self.n_neighbors_, algorithm=self.algorithm, n_jobs=self.n_jobs)
        self.nn_.fit(X / self.scale_)
        return self

    def _offset_without_held_out(self, X, scores):
        # 'auto' without held-out rows: the fence of the leave-one-out scores
        if self.contamination != "auto":
            return super()._offset_without_held_out(X, scores)
        n_samples = X.shape[0]
        if n_samples == 1:
            return 0.0
        dist, _ = self.nn_.kneighbors(None, n_neighbors=min(self.n_neighbors, n_samples - 1))
        return lower_fence(self._to_scores(dist))

    def _to_scores(self, dist):
        """Negative aggregated distances, back in the units of the data (finite)."""
        with np.errstate(over="ignore"):
            agg = self._aggregate(dist) * self.scale_
        return -np.minimum(agg, np.finfo(np.float64).max)

    def _aggregate(self, dist):
        if self.method == "largest":
            return dist[:, -1]
        if self.method == "mean":
            return dist.mean(axis=1)
        return np.median(dist, axis=1)

    def _score_block(self, X):
        with np.errstate(over="ignore"):
            X = np.clip(X / self.scale_, -QUERY_CLAMP, QUERY_CLAMP)
        dist, _ = self.nn_.kneighbors(X, n_neighbors=self.n_neighbors_)
        return self._to_scores(dist)

    def _score_contributions(self, X):
        """Each feature's share of the aggregated neighbour distance of validated ``X``; reference score 0.

        For one neighbour at distance ``d``, feature ``j`` takes ``(x_j - n_j)^2 / d`` (the
        shares add up to ``d``); the shares are aggregated over neighbours as the
        distances are (the k-th, the mean, or the median one(s)).
        """
        out = np.empty(X.shape, dtype=np.float64)
        k = self.n_neighbors_
        weights = np.zeros(k)
        if self.method == "largest":
            weights[-1] = 1.0
        elif self.method == "mean":
            weights[:] = 1.0 / k
        else:  # median of k sorted distances: the middle one, or the mean of the middle two
            weights[(k - 1) // 2] += 0.5
            weights[k // 2] += 0.5
        train = self.nn_._fit_X  # the indexed (scaled) training rows
        for start in range(0, X.shape[0], 4096):
            with np.errstate(over="ignore"):
                Xs = np.clip(X[start : start + 4096] / self.scale_, -QUERY_CLAMP, QUERY_CLAMP)
            dist, idx = self.nn_.kneighbors(Xs, n_neighbors=k)
            diff2 = np.square(Xs[:, None, :] - train[idx])
            share = diff2 / np.maximum(dist, np.finfo(np.float64).tiny)[:, :, None]
            out[start : start + len(Xs)] = -np.einsum("k,nkj->nj", weights, share) * self.scale_
        return out, 0.0
