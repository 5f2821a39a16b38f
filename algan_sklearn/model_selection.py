"""Cross-validation splitters for novelty detection: train on normal rows, validate on both classes.

A novelty detector such as :class:`~algan_sklearn.ALGANDetector` is trained on
normal data only. Plain ``KFold`` or ``StratifiedKFold`` put anomalies into the
training folds, so a grid search would tune the detector under a protocol it is
never used with. :class:`InlierOnlyStratifiedKFold` stratifies on the anomaly
label, drops the anomalies from every training fold and keeps both classes in
every validation fold.
"""

import math
from numbers import Integral

import numpy as np
from sklearn.model_selection import BaseCrossValidator, StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_consistent_length

from .utils._labels import CONVENTIONS, anomaly_indicator

__all__ = ["InlierOnlyStratifiedKFold", "novelty_split"]

#: The benchmark protocol's split (:mod:`algan_sklearn.benchmark`): share of the normal rows trained on,
#: and the caps on training and test rows.
TRAIN_FRACTION = 0.6
MAX_TRAIN = 10_000
MAX_TEST = 10_000


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


def novelty_split(
    X, y, *, random_state=0, train_fraction=TRAIN_FRACTION, max_train=MAX_TRAIN, max_test=MAX_TEST, scale=True
):
    """Split labelled data into normal-only training rows and a test set.

    Implements steps 1 to 3 of the benchmark protocol: shuffle the normal rows
    with the seed, train on the first ``train_fraction`` of them (at most
    ``max_train``), test on every other normal row plus all anomalies
    (subsampled, both classes by the same fraction, when more than
    ``max_test``), and standardise both with a scaler fitted on the training rows.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        1 = anomaly, 0 = normal.
    random_state : int, default=0
        Seed of the shuffle and of the test subsample
        (``numpy.random.RandomState(random_state)``).
    train_fraction : float in (0, 1), default=0.6
        Fraction of the normal rows used for training (rounded down).
    max_train : int, default=10000
        Cap on the number of training rows.
    max_test : int, default=10000
        Cap on the number of test rows.
    scale : bool, default=True
        Standardise both sets with a :class:`~sklearn.preprocessing.StandardScaler`
        fitted on the training rows.

    Returns
    -------
    X_train : ndarray of shape (n_train, n_features), float64
        Normal rows only.
    X_test : ndarray of shape (n_test, n_features), float64
    y_test : ndarray of shape (n_test,), int64
        1 = anomaly. Normal rows come first, then anomalies.

    Raises
    ------
    ValueError
        If the shapes disagree, ``y`` is not 0/1, or the split leaves no
        training row, no normal test row or no anomaly.

    Notes
    -----
    When the 10,000-row training cap applies, the normal rows beyond it are not
    discarded: every normal row not used for training goes to the test set
    (before the test subsample). The same training rows are used by every
    detector for a given data set and seed.

    Examples
    --------
    >>> import numpy as np
    >>> from algan_sklearn.model_selection import novelty_split
    >>> X = np.arange(40.0).reshape(20, 2)
    >>> y = np.array([0] * 15 + [1] * 5)
    >>> X_train, X_test, y_test = novelty_split(X, y, random_state=0)
    >>> X_train.shape, X_test.shape, int(y_test.sum())
    ((9, 2), (11, 2), 5)
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).ravel()
    if X.ndim != 2 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X must be 2-D with one row per label; got X {X.shape}, y {y.shape}.")
    if not np.isin(y, [0, 1]).all():
        raise ValueError("y must hold only 0 (normal) and 1 (anomaly).")
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must be in (0, 1), got {train_fraction}.")
    rng = np.random.RandomState(random_state)
    normal = np.flatnonzero(y == 0)
    anomalous = np.flatnonzero(y == 1)
    normal = normal[rng.permutation(normal.shape[0])]
    n_train = min(math.floor(train_fraction * normal.shape[0] + 1e-9), int(max_train))
    train_idx = normal[:n_train]
    test_normal = normal[n_train:]
    if n_train < 1 or test_normal.shape[0] < 1 or anomalous.shape[0] < 1:
        raise ValueError(
            f"The split needs at least one training row, one normal test row and one anomaly; got "
            f"{n_train} training rows, {test_normal.shape[0]} normal test rows, {anomalous.shape[0]} anomalies."
        )
    n_test = test_normal.shape[0] + anomalous.shape[0]
    if n_test > max_test:
        fraction = max_test / n_test
        n_anom = max(1, round(fraction * anomalous.shape[0]))
        n_norm = max(1, int(max_test) - n_anom)
        test_normal = np.sort(rng.choice(test_normal, size=n_norm, replace=False))
        anomalous = np.sort(rng.choice(anomalous, size=n_anom, replace=False))
    test_idx = np.concatenate([test_normal, anomalous])
    X_train, X_test = X[train_idx], X[test_idx]
    y_test = y[test_idx].astype(np.int64)
    if scale:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return X_train, X_test, y_test
