"""Built-in data: scikit-learn's breast cancer set framed as a novelty-detection task."""

import numpy as np
from sklearn.datasets import load_breast_cancer


def load_breast_cancer_sklearn():
    """Load the breast cancer Wisconsin (Diagnostic) data with malignant = anomaly.

    The data ship with scikit-learn (:func:`sklearn.datasets.load_breast_cancer`),
    so no download is needed: 569 rows, 30 numeric features, 357 benign and 212
    malignant tumours. Benign rows are normal (``y == 0``), malignant rows are
    anomalies (``y == 1``). scikit-learn codes the target the other way round
    (``target == 0`` is malignant); this loader flips it.

    Returns
    -------
    X : ndarray of shape (569, 30), float64
        Features, unscaled.
    y : ndarray of shape (569,), int64
        1 for malignant (anomaly), 0 for benign (normal).

    See Also
    --------
    load_adbench_npz : one ADBench-style ``.npz`` file.

    Notes
    -----
    This is the *Diagnostic* data set (WDBC, 30 features computed from images of
    cell nuclei). ADBench's ``4_breastw`` is the older *Original* Wisconsin data
    (9 integer features, 683 rows); results on the two are not comparable.

    Examples
    --------
    >>> from algan_sklearn.datasets import load_breast_cancer_sklearn
    >>> X, y = load_breast_cancer_sklearn()
    >>> X.shape, int(y.sum())
    ((569, 30), 212)
    """
    data = load_breast_cancer()
    X = np.asarray(data.data, dtype=np.float64)
    y = (np.asarray(data.target) == 0).astype(np.int64)
    return X, y
