"""kNN distance outlier detector (Ramaswamy, Rastogi & Shim, SIGMOD 2000)."""

from numbers import Integral

import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.validation import check_is_fitted

from .._base import BaseDetector
from ..utils._compat import Interval, StrOptions, _fit_context, validate_data


class KNNDetector(BaseDetector):
    """Outlier detection by the distance to the nearest training rows.

    The anomaly score of a row is its (largest, mean or median) Euclidean distance to
    its ``n_neighbors`` nearest training rows; ``score_samples`` returns its negative.

    Parameters
    ----------
    n_neighbors : int, default=5
        Number of neighbours ``k``; clipped to the number of training rows.
    method : {'largest', 'mean', 'median'}, default='largest'
        How the ``k`` distances are aggregated: the k-th distance (Ramaswamy et al.,
        2000), their mean (Angiulli & Pizzuti, 2002) or their median.
    contamination : 'auto' or float in (0, 0.5], default='auto'
        Sets ``offset_``. With ``'auto'`` the threshold is the largest leave-one-out
        score of a training row: a row is an outlier when it lies farther from the
        training data than every training row lies from the others. With a float,
        ``offset_`` is that percentile of ``score_samples`` on the training rows.
    algorithm : {'auto', 'ball_tree', 'kd_tree', 'brute'}, default='auto'
        Passed to :class:`sklearn.neighbors.NearestNeighbors`.
    n_jobs : int, default=None
        Parallel jobs for the neighbour search.

    Attributes
    ----------
    nn_ : NearestNeighbors
        Fitted neighbour index.
    offset_ : float
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
        "n_jobs": [Integral, None],
    }

    def __init__(self, *, n_neighbors=5, method="largest", contamination="auto", algorithm="auto", n_jobs=None):
        self.n_neighbors = n_neighbors
        self.method = method
        self.contamination = contamination
        self.algorithm = algorithm
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Index the training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self : KNNDetector
        """
        X = validate_data(self, X, dtype=np.float64)
        self._k = min(self.n_neighbors, X.shape[0])
        self.nn_ = NearestNeighbors(n_neighbors=self._k, algorithm=self.algorithm, n_jobs=self.n_jobs).fit(X)
        if self.contamination == "auto":
            if X.shape[0] > 1:
                k_loo = min(self.n_neighbors, X.shape[0] - 1)
                dist, _ = self.nn_.kneighbors(None, n_neighbors=k_loo)
                self.offset_ = float(np.min(-self._aggregate(dist)))
            else:
                self.offset_ = 0.0
        else:
            self._set_offset(X)
        return self

    def _aggregate(self, dist):
        if self.method == "largest":
            return dist[:, -1]
        if self.method == "mean":
            return dist.mean(axis=1)
        return np.median(dist, axis=1)

    def score_samples(self, X):
        """Negative k-nearest-neighbour distance (higher = more normal).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,), float64
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        dist, _ = self.nn_.kneighbors(X, n_neighbors=self._k)
        return -self._aggregate(dist)
