"""Which features made a row anomalous: per-feature contributions to the anomaly score.

:func:`feature_contributions` splits each row's anomaly score (``-score_samples``)
into one contribution per input feature, for every detector of the package and for a
:class:`~sklearn.pipeline.Pipeline` whose steps before the detector are per-feature
scalers. Contributions add up to the anomaly score minus that of a reference:

* ALGAN and the Gaussian mixture: integrated gradients (Sundararajan, Taly and Yan,
  "Axiomatic attribution for deep networks", ICML 2017) along the straight line from
  the reference, the most normal held-out (ALGAN) or training (GMM) row, in float64:
  exact for ALGAN's discriminator (``_attribution.py``), adaptive Gauss-Legendre
  quadrature for the smooth log-densities (to 1e-6 of the score difference).
* kNN: each feature's share of the distance to the neighbour(s) the score is made
  of, ``d * (x_j - n_j)^2 / d^2``; the reference score is 0.
* z-score: the per-feature terms of the aggregate; the reference score is 0.

A constant training column whose value is unseen (see :ref:`constant_columns`) gets
an equal share of the drop it causes. Read more in the User Guide (:ref:`explanations`).
"""

import functools
import warnings

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler
from sklearn.utils import Bunch
from sklearn.utils.validation import check_is_fitted

from .utils._validation import validate_data

__all__ = ["feature_contributions"]

#: Pipeline steps that act on each feature separately (an affine map per feature), so a
#: contribution computed after them is the contribution of the same input feature.
PER_FEATURE_STEPS = (StandardScaler, RobustScaler, MaxAbsScaler, MinMaxScaler)


def feature_contributions(estimator, X, *, as_frame=False):
    """Per-feature contributions of each row to its anomaly score.

    Parameters
    ----------
    estimator : fitted detector of this package, or Pipeline ending in one
        Steps before the detector must be per-feature scalers (StandardScaler,
        RobustScaler, MaxAbsScaler, MinMaxScaler) or ``'passthrough'``. A fitted
        :class:`~algan_sklearn.conformal.ConformalDetector` is explained through the
        model it wraps.
    X : array-like of shape (n_samples, n_features)
        Rows to explain, in the estimator's input features. Not modified.
    as_frame : bool, default=False
        Return ``contributions`` as a pandas DataFrame (needs pandas).

    Returns
    -------
    result : sklearn.utils.Bunch
        ``contributions`` : ndarray (or DataFrame) of shape (n_samples, n_features)
            Contribution of each input feature to the anomaly score
            ``-score_samples(X)``; positive pushes towards anomalous.
        ``anomaly_score`` : ndarray of shape (n_samples,)
            ``-score_samples(X)`` (an array also with ``as_frame=True``).
        ``reference_score`` : float
            Anomaly score of the reference; ``contributions.sum(axis=1)`` equals
            ``anomaly_score - reference_score`` (up to the quadrature error for
            ALGAN and the Gaussian mixture).
        ``feature_names`` : ndarray of str
            The estimator's ``feature_names_in_``, else ``x0, x1, ...``.

    Raises
    ------
    TypeError
        If the detector is not one of this package's, or a Pipeline step before it
        is not a per-feature scaler.
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.
    ValueError
        If ``X`` is not valid input for the estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from algan_sklearn import ZScoreDetector
    >>> from algan_sklearn.inspection import feature_contributions
    >>> X = np.random.RandomState(0).normal(size=(200, 3))
    >>> det = ZScoreDetector().fit(X)
    >>> result = feature_contributions(det, [[0.0, 6.0, 0.0]])
    >>> int(np.argmax(result.contributions[0]))
    1
    """
    detector, transforms = _split_pipeline(estimator)
    check_is_fitted(detector)
    if estimator is detector:
        Xt = validate_data(detector, X, dtype=[np.float64, np.float32], reset=False)
    else:  # each step validates its input
        Xt = X
        for step in transforms:
            Xt = step.transform(Xt)
        Xt = validate_data(detector, Xt, dtype=[np.float64, np.float32], reset=False)
    constant = detector.constant_columns_
    n_samples = Xt.shape[0]
    contributions = np.zeros((n_samples, constant.mask.size))
    if constant.keep.any():
        score_part, reference_score = detector._score_contributions(constant.drop(Xt))
        contributions[:, constant.keep] = -score_part
    else:
        reference_score = 0.0
    base = constant.score_kept(Xt, detector._score_samples)  # Xt is validated already
    scores = constant.cap(Xt, base)
    unseen = constant.unseen(Xt)
    if unseen.any():
        drop = (base - scores) / np.maximum(unseen.sum(axis=1), 1)
        contributions[:, constant.mask] = unseen * drop[:, None]
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        names = np.array([f"x{j}" for j in range(contributions.shape[1])], dtype=object)
    if as_frame:
        import pandas as pd

        contributions = pd.DataFrame(contributions, columns=list(names))
    return Bunch(
        contributions=contributions,
        anomaly_score=-scores,
        reference_score=-float(reference_score),
        feature_names=np.asarray(names, dtype=object),
    )


def _split_pipeline(estimator):
    from .conformal import ConformalDetector

    if isinstance(estimator, ConformalDetector):  # explain the fitted model it wraps
        check_is_fitted(estimator)
        return _split_pipeline(estimator.estimator_)
    if not isinstance(estimator, Pipeline):
        _check_detector(estimator)
        return estimator, []
    transforms = []
    for name, step in estimator.steps[:-1]:
        if step is None or step == "passthrough":
            continue
        if not isinstance(step, PER_FEATURE_STEPS):
            raise TypeError(
                f"feature_contributions needs per-feature steps before the detector; step {name!r} is a "
                f"{type(step).__name__}, which mixes features"
            )
        transforms.append(step)
    _check_detector(estimator.steps[-1][1])
    return estimator.steps[-1][1], transforms


def _check_detector(detector):
    if not hasattr(detector, "_score_contributions"):
        raise TypeError(f"feature_contributions explains this package's detectors, not {type(detector).__name__}")


@functools.lru_cache(maxsize=16)
def _gauss_legendre(n_steps):
    """Gauss-Legendre nodes and weights on [0, 1], read-only, computed once per ``n_steps``.

    numpy solves an ``n_steps`` x ``n_steps`` eigenproblem for them (seconds at 4096
    nodes); explanations ask for the same few counts for every call and block of rows.
    """
    nodes, weights = np.polynomial.legendre.leggauss(n_steps)
    nodes, weights = 0.5 * (nodes + 1.0), 0.5 * weights
    nodes.flags.writeable = weights.flags.writeable = False
    return nodes, weights


def integrated_gradients(gradient, X, reference, n_steps=64, max_batch_rows=65536):
    """Integrated gradients of a score along straight lines from ``reference`` to each row.

    Parameters
    ----------
    gradient : callable
        Maps rows of shape (m, n_features) to the score's gradients, same shape.
    X : ndarray of shape (n_samples, n_features)
    reference : ndarray of shape (n_features,)
    n_steps : int, default=64
        Gauss-Legendre nodes on [0, 1].
    max_batch_rows : int, default=65536
        Rows per call of ``gradient`` (all nodes of a block of rows at once).

    Returns
    -------
    ndarray of shape (n_samples, n_features)
        ``(x - reference) * mean gradient along the line``; rows sum to
        ``score(x) - score(reference)`` up to the quadrature error.
    """
    nodes, weights = _gauss_legendre(n_steps)
    delta = X - reference
    out = np.empty_like(delta)
    block = max(1, max_batch_rows // n_steps)
    for start in range(0, len(X), block):
        d = delta[start : start + block]
        points = reference + nodes[:, None, None] * d[None]  # (n_steps, rows, n_features)
        grads = gradient(points.reshape(-1, X.shape[1])).reshape(points.shape)
        out[start : start + block] = d * np.tensordot(weights, grads, axes=1)
    return out


#: Bisections of a panel in the last stage of :func:`integrated_gradients_adaptive`:
#: the narrowest panel is ``2**-MAX_PANEL_DEPTH`` of the path.
MAX_PANEL_DEPTH = 24
#: Panels the path is first cut into in that stage.
FIRST_PANELS = 16


def integrated_gradients_adaptive(gradient, value, X, reference, rtol=1e-6, steps=(64, 256, 1024)):
    """:func:`integrated_gradients` with more nodes for the rows whose contributions miss the difference.

    A row whose contributions miss ``value(x) - value(reference)`` by more than ``rtol``
    of it (or of 1, when smaller) is integrated again with the next number of nodes in
    ``steps``; a smooth score converges fast. A steep one (a mixture whose components
    take over from each other along the path, within a small part of it) then goes to
    adaptive composite quadrature: the path is cut into panels of 64 nodes, and each
    panel whose integral misses the score's difference between its ends by more than
    its share of the tolerance is halved, down to ``2**-MAX_PANEL_DEPTH`` of the path,
    so the nodes go where the score turns.

    Parameters
    ----------
    gradient, value : callable
        Gradients and values of the score for rows of shape (m, n_features).
    X : ndarray of shape (n_samples, n_features)
    reference : ndarray of shape (n_features,)
    rtol : float, default=1e-6
    steps : tuple of int, default=(64, 256, 1024)
        Gauss-Legendre nodes of the whole path, tried in turn before the panels.

    Returns
    -------
    ndarray of shape (n_samples, n_features)

    Warns
    -----
    UserWarning
        If some rows still miss the tolerance with the narrowest panels; the message
        gives the largest relative miss achieved.
    """
    delta = value(X) - value(reference[None])[0]
    out = np.empty_like(X, dtype=np.float64)
    pending = np.arange(len(X))
    for n_steps in steps:
        part = integrated_gradients(gradient, X[pending], reference, n_steps)
        out[pending] = part
        gap = np.abs(part.sum(axis=1) - delta[pending])
        pending = pending[gap > rtol * np.maximum(np.abs(delta[pending]), 1.0)]
        if not len(pending):
            return out
    out[pending] = _integrate_in_panels(gradient, value, X[pending], reference, delta[pending], rtol)
    bound = np.maximum(np.abs(delta[pending]), 1.0)
    miss = np.abs(out[pending].sum(axis=1) - delta[pending]) / bound
    if (miss > rtol).any():
        warnings.warn(
            f"Integrated gradients of {int((miss > rtol).sum())} of {len(X)} rows miss completeness by up to "
            f"{miss.max():.2g} of the score difference (tolerance {rtol:g}) with panels of "
            f"2**-{MAX_PANEL_DEPTH} of the path: the score is too steep along their paths to integrate further.",
            UserWarning,
            stacklevel=2,
        )
    return out


def _integrate_in_panels(gradient, value, X, reference, delta, rtol, max_batch_rows=65536):
    """Adaptive composite Gauss-Legendre (64 nodes a panel) of each row's path; see the caller."""
    nodes, weights = _gauss_legendre(64)
    D = X - reference
    tolerance = rtol * np.maximum(np.abs(delta), 1.0)
    edges = np.linspace(0.0, 1.0, FIRST_PANELS + 1)
    row = np.repeat(np.arange(len(X)), FIRST_PANELS)
    a, b = np.tile(edges[:-1], len(X)), np.tile(edges[1:], len(X))
    at = value((reference + edges[:, None, None] * D[None]).reshape(-1, D.shape[1]))
    at = at.reshape(len(edges), len(X)).T  # (rows, edges)
    va, vb = at[:, :-1].ravel(), at[:, 1:].ravel()
    out = np.zeros_like(D)
    depth = 0
    while len(row):
        part = np.empty((len(row), D.shape[1]))
        block = max(1, max_batch_rows // len(nodes))
        for s in range(0, len(row), block):
            r, lo, width = row[s : s + block], a[s : s + block], (b - a)[s : s + block]
            t = lo[None, :] + width[None, :] * nodes[:, None]  # (nodes, panels)
            points = reference + t[:, :, None] * D[r][None]
            grads = gradient(points.reshape(-1, D.shape[1])).reshape(points.shape)
            part[s : s + block] = D[r] * width[:, None] * np.tensordot(weights, grads, axes=1)
        miss = np.abs(part.sum(axis=1) - (vb - va))
        # a panel's share of the row's tolerance, and no finer than the rounding of the values
        fine = miss <= np.maximum(tolerance[row] * (b - a), 8 * np.finfo(np.float64).eps * (np.abs(va) + np.abs(vb)))
        done = fine | (depth >= MAX_PANEL_DEPTH)
        np.add.at(out, row[done], part[done])
        row, a, b, va, vb = row[~done], a[~done], b[~done], va[~done], vb[~done]
        if not len(row):
            break
        mid = 0.5 * (a + b)
        vm = value(reference + mid[:, None] * D[row])
        row = np.concatenate([row, row])
        a, b = np.concatenate([a, mid]), np.concatenate([mid, b])
        va, vb = np.concatenate([va, vm]), np.concatenate([vm, vb])
        depth += 1
    return out
