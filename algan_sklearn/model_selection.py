"""Cross-validation splitters for novelty detection: train on normal rows, validate on both classes.

A novelty detector such as :class:`~algan_sklearn.ALGANDetector` is trained on
normal data only. Plain ``KFold`` or ``StratifiedKFold`` put anomalies into the
training folds, so a grid search would tune the detector under a protocol it is
never used with. :class:`InlierOnlyStratifiedKFold` stratifies on the anomaly
label, drops the anomalies from every training fold and keeps both classes in
every validation fold.
"""

from numbers import Integral

import numpy as np
from sklearn.model_selection import BaseCrossValidator, StratifiedKFold
from sklearn.utils.validation import check_consistent_length

from .utils._labels import CONVENTIONS, anomaly_indicator

__all__ = ["InlierOnlyStratifiedKFold"]


class InlierOnlyStratifiedKFold(BaseCrossValidator):
    """Stratified K-fold whose training folds keep only the normal rows.

    The rows are split as by :class:`~sklearn.model_selection.StratifiedKFold`
    on the normal / anomalous labels. Each validation fold is one of the K
    folds, with normal rows and anomalies in about the data's proportion. Each
    training fold is the normal rows of the other K - 1 folds: the anomalies
    outside the validation fold are left out of that split altogether. Every
    row is validated exactly once, so cross-validated scores cover all
    anomalies.

    Pass it as ``cv=`` to :class:`~sklearn.model_selection.GridSearchCV` or
    :func:`~sklearn.model_selection.cross_val_score` together with ``y``, and
    score with :func:`algan_sklearn.metrics.make_outlier_scorer` using the same
    ``anomaly_label``.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2. The data need at least ``n_splits``
        anomalies and ``n_splits`` normal rows.
    anomaly_label : int, str or bool
        Required, keyword-only: the value of ``y`` that marks an anomaly; every
        other value is normal. ``anomaly_label=-1`` for scikit-learn's
        convention (+1 inlier, -1 outlier), ``anomaly_label=1`` for the
        0 normal / 1 anomaly convention of ADBench and PyOD.
    shuffle : bool, default=False
        Whether to shuffle each class before splitting into folds.
    random_state : int, RandomState instance or None, default=None
        Controls the shuffling when ``shuffle=True``; must be None otherwise.

    Raises
    ------
    ValueError
        At creation, if ``n_splits`` is not an int of at least 2, or
        ``random_state`` is set with ``shuffle=False``.

    See Also
    --------
    sklearn.model_selection.StratifiedKFold : the split this one filters.
    algan_sklearn.metrics.make_outlier_scorer : AUROC and AP for detectors.

    Notes
    -----
    ``GridSearchCV(refit=True)`` refits the best candidate on *all* rows it was
    given, anomalies included. For a detector trained on normal data only, use
    ``refit=False`` and fit the best parameters on the normal rows yourself::

        search = GridSearchCV(pipe, grid, cv=cv, scoring=scorer, refit=False).fit(X, y)
        best = pipe.set_params(**search.best_params_).fit(X[y != anomaly_label])

    Examples
    --------
    >>> import numpy as np
    >>> from algan_sklearn.model_selection import InlierOnlyStratifiedKFold
    >>> y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    >>> cv = InlierOnlyStratifiedKFold(n_splits=2, anomaly_label=1)
    >>> for train, test in cv.split(np.zeros((8, 1)), y):
    ...     print(train, test)
    [3 4 5] [0 1 2 6]
    [0 1 2] [3 4 5 7]
    """

    def __init__(self, n_splits=5, *, anomaly_label, shuffle=False, random_state=None):
        self.n_splits = n_splits
        self.anomaly_label = anomaly_label
        self.shuffle = shuffle
        self.random_state = random_state
        self._stratified_kfold()

    def _stratified_kfold(self):
        if not isinstance(self.n_splits, Integral) or isinstance(self.n_splits, bool) or self.n_splits < 2:
            raise ValueError(f"n_splits must be an int of at least 2; got {self.n_splits!r}.")
        return StratifiedKFold(self.n_splits, shuffle=self.shuffle, random_state=self.random_state)

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of splits.

        Parameters
        ----------
        X, y, groups : object
            Ignored, present for API compatibility.

        Returns
        -------
        n_splits : int
        """
        return self.n_splits

    def split(self, X, y=None, groups=None):
        """Generate indices of the training (normal rows) and validation rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Only its length is used.
        y : array-like of shape (n_samples,)
            Binary labels; ``anomaly_label`` marks the anomalies. Required.
        groups : object
            Ignored, present for API compatibility.

        Yields
        ------
        train : ndarray of shape (n_train,), int
            Indices of the normal rows outside the validation fold.
        test : ndarray of shape (n_test,), int
            Indices of the validation fold (both classes).

        Raises
        ------
        ValueError
            If ``y`` is None, its length differs from ``X``'s, it holds more than
            two labels, or fewer than ``n_splits`` anomalies or normal rows.
        """
        if y is None:
            raise ValueError(
                "InlierOnlyStratifiedKFold needs y to tell normal rows from anomalies: "
                "pass y to split(), GridSearchCV.fit(X, y) or cross_val_score(..., y=y)."
            )
        check_consistent_length(X, y)
        kfold = self._stratified_kfold()
        is_anomaly = anomaly_indicator(y, self.anomaly_label)
        for name, count in (("anomalies", int(is_anomaly.sum())), ("normal rows", int((~is_anomaly).sum()))):
            if count < self.n_splits:
                raise ValueError(
                    f"y holds {count} {name} (anomaly_label={self.anomaly_label!r}), fewer than "
                    f"n_splits={self.n_splits}: every validation fold needs both classes. Lower "
                    f"n_splits or check the label convention: {CONVENTIONS}."
                )
        for train, test in kfold.split(np.zeros((is_anomaly.shape[0], 1)), is_anomaly):
            yield train[~is_anomaly[train]], test
