"""Scorers for outlier detectors: AUROC and average precision with an explicit label convention.

scikit-learn's built-in ``scoring="roc_auc"`` takes the class ``1`` as positive and
ranks rows by ``decision_function``, where higher means *more normal*. On data
labelled 0 normal / 1 anomaly (ADBench, PyOD) it therefore returns ``1 - AUROC``
without a word, and ``scoring="average_precision"`` measures the precision of
finding *inliers*. The scorers made here rank rows by the anomaly score
(``-score_samples``, or ``-decision_function``), take the positive class from an
explicit ``anomaly_label`` and refuse to score a validation fold that holds one
class only.

Examples
--------
>>> import numpy as np
>>> from sklearn.model_selection import cross_val_score
>>> from algan_sklearn import ZScoreDetector
>>> from algan_sklearn.metrics import make_outlier_scorer
>>> from algan_sklearn.model_selection import InlierOnlyStratifiedKFold
>>> rng = np.random.RandomState(0)
>>> X = np.vstack([rng.normal(size=(90, 2)), rng.normal(6, 1, size=(10, 2))])
>>> y = np.r_[np.zeros(90), np.ones(10)]  # 1 = anomaly
>>> scorer = make_outlier_scorer("roc_auc", anomaly_label=1)
>>> cv = InlierOnlyStratifiedKFold(n_splits=5, anomaly_label=1)
>>> bool(cross_val_score(ZScoreDetector(), X, y, cv=cv, scoring=scorer).min() > 0.99)
True
"""

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from .utils._labels import CONVENTIONS, anomaly_indicator, describe_labels

__all__ = ["anomaly_score", "make_outlier_scorer"]

_METRICS = {
    "roc_auc": roc_auc_score,
    "average_precision": average_precision_score,
}
_RESPONSE_METHODS = ("auto", "score_samples", "decision_function")


def anomaly_score(estimator, X, *, response_method="auto"):
    """Anomaly scores of a fitted outlier detector: higher means more anomalous.

    Parameters
    ----------
    estimator : fitted estimator
        An outlier detector (or a Pipeline ending in one) with ``score_samples``
        or ``decision_function``, both following scikit-learn's convention
        (higher = more normal).
    X : array-like of shape (n_samples, n_features)
        Rows to score.
    response_method : {'auto', 'score_samples', 'decision_function'}, default='auto'
        Which method to negate. ``'auto'`` uses ``score_samples`` when the
        estimator has it, else ``decision_function``. Both give the same AUROC
        and average precision: they differ by a constant offset.

    Returns
    -------
    scores : ndarray of shape (n_samples,), float64
        ``-score_samples(X)`` or ``-decision_function(X)``.

    Raises
    ------
    TypeError
        If the estimator has neither method, such as
        :class:`~sklearn.neighbors.LocalOutlierFactor` without ``novelty=True``.
    ValueError
        If ``response_method`` is unknown, or if the scores are not a finite
        vector of ``n_samples`` values.
    """
    if response_method not in _RESPONSE_METHODS:
        raise ValueError(f"response_method must be one of {_RESPONSE_METHODS}; got {response_method!r}.")
    candidates = ("score_samples", "decision_function") if response_method == "auto" else (response_method,)
    for name in candidates:
        method = getattr(estimator, name, None)
        if method is not None:
            break
    else:
        hint = ""
        final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
        if type(final).__name__ == "LocalOutlierFactor":
            hint = " LocalOutlierFactor scores new data only with novelty=True."
        raise TypeError(
            f"{type(estimator).__name__} has no {' or '.join(candidates)}, so its anomaly "
            f"scores cannot be ranked.{hint}"
        )
    scores = np.asarray(method(X), dtype=np.float64)
    if scores.ndim != 1:
        raise ValueError(f"{type(estimator).__name__}.{name} returned shape {scores.shape}; expected (n_samples,).")
    if not np.all(np.isfinite(scores)):
        n_bad = int(np.sum(~np.isfinite(scores)))
        raise ValueError(
            f"{type(estimator).__name__}.{name} returned {n_bad} NaN or infinite values out of "
            f"{scores.shape[0]}; AUROC and average precision need finite scores."
        )
    return -scores


class _OutlierScorer:
    """Callable ``scorer(estimator, X, y_true)`` made by :func:`make_outlier_scorer`."""

    def __init__(self, metric, anomaly_label, response_method):
        self.metric = metric
        self.anomaly_label = anomaly_label
        self.response_method = response_method

    def __call__(self, estimator, X, y_true, sample_weight=None):
        """Score ``estimator`` on ``(X, y_true)``.

        Parameters
        ----------
        estimator : fitted outlier detector
        X : array-like of shape (n_samples, n_features)
        y_true : array-like of shape (n_samples,)
            Binary labels; ``anomaly_label`` marks the anomalies.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the metric.

        Returns
        -------
        score : float
            Higher is better.

        Raises
        ------
        ValueError
            If ``y_true`` holds one class only, or see :func:`make_outlier_scorer`.
        """
        is_anomaly = anomaly_indicator(y_true, self.anomaly_label)
        n_anomalies = int(is_anomaly.sum())
        if n_anomalies in (0, is_anomaly.shape[0]):
            which = "no anomalies" if n_anomalies == 0 else "anomalies only"
            raise ValueError(
                f"{self._name()} is undefined on this validation fold: its {is_anomaly.shape[0]} rows "
                f"hold {which} (labels {describe_labels(y_true)}, anomaly_label={self.anomaly_label!r}). "
                "Use algan_sklearn.model_selection.InlierOnlyStratifiedKFold, which puts both classes "
                f"in every validation fold, and check the label convention: {CONVENTIONS}."
            )
        scores = anomaly_score(estimator, X, response_method=self.response_method)
        func = _METRICS.get(self.metric, self.metric)
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        return float(func(is_anomaly.astype(np.int64), scores, **kwargs))

    def _name(self):
        return self.metric if isinstance(self.metric, str) else getattr(self.metric, "__name__", "metric")

    def __repr__(self):
        return (
            f"make_outlier_scorer({self._name()!r}, anomaly_label={self.anomaly_label!r}, "
            f"response_method={self.response_method!r})"
        )


def make_outlier_scorer(metric="roc_auc", *, anomaly_label, response_method="auto"):
    """Make a scorer that ranks rows by an outlier detector's anomaly score.

    The scorer is a callable ``scorer(estimator, X, y_true)`` returning a float
    (higher is better), to pass as ``scoring=`` to
    :class:`~sklearn.model_selection.GridSearchCV`,
    :func:`~sklearn.model_selection.cross_val_score` or
    :func:`~sklearn.model_selection.cross_validate`, alone or in a dict for
    multi-metric scoring. The anomalies are the positive class.

    Parameters
    ----------
    metric : {'roc_auc', 'average_precision'} or callable, default='roc_auc'
        ``'roc_auc'`` is :func:`sklearn.metrics.roc_auc_score` (AUROC),
        ``'average_precision'`` is :func:`sklearn.metrics.average_precision_score`
        (AP, the area under the precision-recall curve of the anomalies). A
        callable is called as ``metric(is_anomaly, anomaly_score)`` with a 0/1
        vector and the anomaly scores (plus ``sample_weight=`` when given).
    anomaly_label : int, str or bool
        Required, keyword-only: the value of ``y`` that marks an anomaly; every
        other value is normal. Use ``anomaly_label=-1`` with scikit-learn's
        convention (+1 inlier, -1 outlier) and ``anomaly_label=1`` with the
        0 normal / 1 anomaly convention of ADBench, ODDS and PyOD. There is no
        default because guessing wrong inverts the score silently.
    response_method : {'auto', 'score_samples', 'decision_function'}, default='auto'
        Which method of the estimator gives the scores (negated to make anomaly
        scores); ``'auto'`` prefers ``score_samples``. See :func:`anomaly_score`.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y_true, sample_weight=None) -> float``.

    Raises
    ------
    ValueError
        At creation, if ``metric`` or ``response_method`` is an unknown string. When
        called: if ``y_true`` holds one class only (the metric is undefined),
        more than two labels, or ``-1`` while ``anomaly_label=1``; or if the
        detector returns NaN or infinite scores.
    TypeError
        At creation, if ``metric`` is neither a string nor a callable. When
        called, if the estimator has neither ``score_samples`` nor
        ``decision_function`` (``LocalOutlierFactor`` without ``novelty=True``).

    Notes
    -----
    Inside ``GridSearchCV`` and ``cross_val_score`` an error raised while
    scoring becomes a NaN score with a ``UserWarning`` that carries the message,
    unless ``error_score='raise'``. Folds from
    :class:`~algan_sklearn.model_selection.InlierOnlyStratifiedKFold` always hold
    both classes.

    Examples
    --------
    >>> from algan_sklearn.metrics import make_outlier_scorer
    >>> make_outlier_scorer("average_precision", anomaly_label=1)
    make_outlier_scorer('average_precision', anomaly_label=1, response_method='auto')
    """
    if isinstance(metric, str):
        if metric not in _METRICS:
            raise ValueError(f"metric must be one of {sorted(_METRICS)} or a callable; got {metric!r}.")
    elif not callable(metric):
        raise TypeError(f"metric must be one of {sorted(_METRICS)} or a callable; got {metric!r}.")
    if response_method not in _RESPONSE_METHODS:
        raise ValueError(f"response_method must be one of {_RESPONSE_METHODS}; got {response_method!r}.")
    return _OutlierScorer(metric, anomaly_label, response_method)
