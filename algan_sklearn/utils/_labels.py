"""Label conventions of outlier detection: which value of ``y`` marks an anomaly.

Two conventions are common and they disagree on the meaning of ``1``:

* scikit-learn: ``+1`` inlier, ``-1`` outlier (what ``predict`` returns), so
  ``anomaly_label=-1``;
* ADBench, ODDS and PyOD: ``0`` normal, ``1`` anomaly, so ``anomaly_label=1``.

The scorers of :mod:`algan_sklearn.metrics` and the splitters of
:mod:`algan_sklearn.model_selection` take the anomaly label explicitly and share
the check below.
"""

import numpy as np
from sklearn.utils.validation import column_or_1d

#: Shared wording of the ``anomaly_label`` parameter (used in docstrings and errors).
CONVENTIONS = (
    "anomaly_label=-1 for scikit-learn's convention (+1 inlier, -1 outlier), "
    "anomaly_label=1 for the 0 normal / 1 anomaly convention of ADBench and PyOD"
)


def anomaly_indicator(y, anomaly_label):
    """Boolean mask of the anomalous rows of ``y``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Binary labels: the anomaly label and one other value (the normal label).
        A pandas Series, a list or a column vector are accepted.
    anomaly_label : int, str or bool
        The value of ``y`` that marks an anomaly. Every other row is normal.

    Returns
    -------
    is_anomaly : ndarray of shape (n_samples,), bool

    Raises
    ------
    ValueError
        If ``y`` is empty or holds more than two distinct labels, or if ``y`` holds
        ``-1`` (scikit-learn's outlier label) while ``anomaly_label=1``, which would
        silently treat scikit-learn's inliers as anomalies.
    """
    y = column_or_1d(y, warn=True)
    if y.shape[0] == 0:
        raise ValueError("y is empty.")
    labels = np.unique(y)
    if labels.shape[0] > 2:
        raise ValueError(
            f"y must hold two labels (normal and anomalous); got {labels.shape[0]} distinct values: {_show(labels)}."
        )
    if _is_label(anomaly_label, 1) and any(_is_label(v, -1) for v in labels):
        raise ValueError(
            f"y holds the labels {_show(labels)} and anomaly_label=1: with scikit-learn's "
            "convention (+1 inlier, -1 outlier) that would score the inliers as anomalies. "
            f"Pass {CONVENTIONS}."
        )
    return np.asarray(y == anomaly_label, dtype=bool)


def _is_label(value, number):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and value == number


def _show(labels):
    return "[" + ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in labels) + "]"


def describe_labels(y):
    """The distinct labels of ``y`` as a short string, for error messages."""
    return _show(np.unique(column_or_1d(y)))
