"""Conformal p-values from held-out scores, and the Benjamini-Hochberg procedure.

A detector's ``score_samples`` has no fixed scale. Compared with the scores of
normal rows the model was not fitted on (for :class:`~algan_sklearn.ALGANDetector`,
its ``calibration_scores_``), a score becomes a p-value: the probability that a
normal row scores at most as high. For a new normal row exchangeable with the
calibration rows the p-value is uniformly distributed (marginally), so flagging rows
with ``p <= a`` has a false-alarm rate of at most ``a``; the Benjamini-Hochberg
procedure flags rows among many while keeping the expected share of false alarms
among the flagged rows (the false discovery rate) at most ``alpha`` (Bates et al.,
"Testing for outliers with conformal p-values", Annals of Statistics, 2023).

Examples
--------
>>> import numpy as np
>>> from algan_sklearn.conformal import benjamini_hochberg, conformal_pvalues
>>> calibration = np.arange(99.0)  # scores of 99 held-out normal rows
>>> p = conformal_pvalues(calibration, [-5.0, 50.0])
>>> p.round(2).tolist()
[0.01, 0.52]
>>> benjamini_hochberg(p, alpha=0.1).tolist()
[True, False]
"""

import numpy as np

__all__ = ["benjamini_hochberg", "conformal_pvalues"]


def conformal_pvalues(calibration_scores, scores):
    """Marginal conformal p-values of ``scores`` against held-out normal scores.

    ``p(x) = (1 + #{j : calibration_j <= s(x)}) / (n + 1)`` for a score ``s(x)``
    (higher = more normal), ``n`` calibration scores.

    Parameters
    ----------
    calibration_scores : array-like of shape (n_calibration,)
        ``score_samples`` of normal rows the detector was not fitted on.
    scores : array-like of shape (n_samples,)
        ``score_samples`` of the rows to test.

    Returns
    -------
    pvalues : ndarray of shape (n_samples,), float64, in ``[1 / (n + 1), 1]``
        Small for rows that score lower than most calibration rows.

    Raises
    ------
    ValueError
        If there is no calibration score, or a score is NaN.
    """
    cal = np.sort(np.asarray(calibration_scores, dtype=np.float64).ravel())
    s = np.asarray(scores, dtype=np.float64).ravel()
    if cal.size == 0:
        raise ValueError("conformal p-values need at least one calibration score.")
    if np.isnan(cal).any() or np.isnan(s).any():
        raise ValueError("conformal p-values need scores without NaN.")
    return (1.0 + np.searchsorted(cal, s, side="right")) / (cal.size + 1.0)


def benjamini_hochberg(pvalues, alpha=0.1):
    """Rows flagged by the Benjamini-Hochberg procedure at false discovery rate ``alpha``.

    Sorts the p-values, finds the largest ``k`` with ``p_(k) <= alpha * k / m``, and
    flags the ``k`` rows with the smallest p-values (Benjamini & Hochberg, 1995).

    Parameters
    ----------
    pvalues : array-like of shape (n_samples,)
        Values in ``[0, 1]``, e.g. from :func:`conformal_pvalues`.
    alpha : float in (0, 1), default=0.1
        Target false discovery rate.

    Returns
    -------
    flagged : ndarray of shape (n_samples,), bool

    Raises
    ------
    ValueError
        If ``alpha`` is not in (0, 1) or a p-value is outside ``[0, 1]`` or NaN.
    """
    p = np.asarray(pvalues, dtype=np.float64).ravel()
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}.")
    if p.size and not ((p >= 0.0) & (p <= 1.0)).all():
        raise ValueError("p-values must lie in [0, 1] (and not be NaN).")
    m = p.size
    order = np.argsort(p, kind="stable")
    below = p[order] <= alpha * np.arange(1, m + 1) / m
    flagged = np.zeros(m, dtype=bool)
    if below.any():
        k = int(np.flatnonzero(below)[-1]) + 1
        flagged[order[:k]] = True
    return flagged
