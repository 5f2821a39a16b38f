"""ALGAN's input scaling: fitted on the training rows, applied before G and D.

Inputs are first divided by a per-feature power of two (exact, so values up to the
float64 maximum scale without overflow), then standardised (``'standard'``: mean and
standard deviation, ``'robust'``: median and inter-quartile range) or, with ``None``,
divided by one common power of two only. Rows farther than ``INPUT_CLAMP`` scaled
units are shrunk radially (direction kept), so float32 never overflows and the score
keeps falling along every ray. Every scaling acts on each feature separately.
"""

import numpy as np
from sklearn.preprocessing import RobustScaler, StandardScaler

from ._base import SCORE_BLOCK_ROWS, pow2_scale
from ._networks import INPUT_CLAMP


def fit_scaling(X, scaling):
    """``(feature_scale, scaler)`` for the validated training rows ``X``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), finite
    scaling : {'standard', 'robust'} or None

    Returns
    -------
    feature_scale : ndarray of shape (n_features,)
        Powers of two.
    scaler : StandardScaler, RobustScaler or None
        Fitted on ``X / feature_scale``.
    """
    max_abs = np.maximum(X.max(axis=0), -X.min(axis=0)).astype(np.float64)
    if scaling is None:  # one common factor: the geometry of the data is kept
        return np.full(X.shape[1], pow2_scale(max_abs.max())), None
    feature_scale = pow2_scale(max_abs)
    if scaling == "robust":
        return feature_scale, RobustScaler().fit(X / feature_scale)
    scaler = StandardScaler()
    for start in range(0, X.shape[0], SCORE_BLOCK_ROWS // 4):  # one block is exactly StandardScaler().fit
        scaler.partial_fit(X[start : start + SCORE_BLOCK_ROWS // 4] / feature_scale)
    return feature_scale, scaler


def scale_rows(X, feature_scale, scaler, dtype=np.float32):
    """Scaled copy of ``X`` in ``dtype``: ``(X / feature_scale - center) / scale``, then the radial clamp."""
    # One float64 work array, scaled in place (the same operations, in the same order, for every row).
    Z = np.array(X, dtype=np.float64, order="C", copy=True)
    with np.errstate(over="ignore", invalid="ignore"):
        Z /= feature_scale
        if scaler is not None:
            center = getattr(scaler, "mean_", None)
            if center is None:
                center = scaler.center_
            Z -= center
            Z /= scaler.scale_
    # Two cheap reductions decide whether any row needs the clamp.
    if Z.size and (Z.max() > INPUT_CLAMP or Z.min() < -INPUT_CLAMP):
        np.clip(Z, -1e300, 1e300, out=Z)
        row_max = np.abs(Z).max(axis=1)
        far = row_max > INPUT_CLAMP
        Z[far] *= (INPUT_CLAMP / row_max[far])[:, None]
    return Z.astype(dtype, copy=False)


def scale_in_blocks(X, feature_scale, scaler):
    """Scaled float32 copy of ``X``, computed in row blocks (bounded temporaries)."""
    Xs = np.empty(X.shape, dtype=np.float32)
    step = SCORE_BLOCK_ROWS // 4
    for start in range(0, X.shape[0], step):
        Xs[start : start + step] = scale_rows(X[start : start + step], feature_scale, scaler)
    return Xs


def unscale_rows(Z, feature_scale, scaler):
    """Rows in the training data's units from scaled rows ``Z`` (no clamp to undo)."""
    rows = np.asarray(Z, dtype=np.float64)
    if scaler is not None:
        rows = scaler.inverse_transform(rows)
    return rows * feature_scale
