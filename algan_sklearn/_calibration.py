"""The held-out stage shared by every detector: how many rows, which rows, and the threshold."""

import math
import warnings

import numpy as np

#: Held-out calibration rows: at least this many (at most a fifth of the rows for it) ...
MIN_CALIBRATION_ROWS = 50
#: ... and none when fewer than this many would be held out.
SMALLEST_CALIBRATION = 5
#: Seed of the held-out split of detectors without a ``random_state`` parameter
#: (:class:`~algan_sklearn.KNNDetector`, :class:`~algan_sklearn.ZScoreDetector`).
CALIBRATION_SEED = 0


def calibration_rows(n_samples, fraction):
    """Number of training rows held out to set ``offset_`` (0: none).

    The share asked for, and at least ``MIN_CALIBRATION_ROWS`` (but never more than a
    fifth of the rows for that); none if that is fewer than ``SMALLEST_CALIBRATION``
    (with 50 rows or fewer: at most 24 rows, or ``fraction=0``).

    Parameters
    ----------
    n_samples : int
    fraction : float in [0, 1)

    Returns
    -------
    int
    """
    if fraction == 0:
        return 0
    n_cal = max(int(round(fraction * n_samples)), min(MIN_CALIBRATION_ROWS, n_samples // 5))
    return n_cal if n_cal >= SMALLEST_CALIBRATION else 0


def split_rows(n_samples, n_held_out, seed):
    """Rows to fit on and rows held out, drawn at random: two sorted index arrays.

    Parameters
    ----------
    n_samples : int
    n_held_out : int in [0, n_samples]
    seed : int
        Seeds a private ``numpy.random.RandomState`` (no global state is touched).

    Returns
    -------
    fit_rows, held_out_rows : ndarray of int
    """
    if n_held_out == 0:
        return np.arange(n_samples), np.arange(0)
    order = np.random.RandomState(seed).permutation(n_samples)
    return np.sort(order[n_held_out:]), np.sort(order[:n_held_out])


def held_out_threshold(scores, contamination):
    """``offset_`` from scores of held-out normal rows: Tukey's lower fence, or a percentile.

    A float ``contamination`` takes the Weibull percentile (order statistic ``c (n + 1)``
    of ``n`` scores, interpolated): a new row drawn like the held-out rows falls below it
    with probability ``c`` on average over the draw of the held-out rows, whereas
    numpy's default percentile, ``c (n - 1) + 1``, flags ``(c (n - 1) + 1) / (n + 1)``
    (6.8% for 5% of 50 rows). With ``c (n + 1) < 1`` it is the lowest held-out score,
    which flags ``1 / (n + 1)`` (:func:`warn_if_too_few_held_out`).

    Parameters
    ----------
    scores : ndarray of shape (n,)
    contamination : 'auto' or float

    Returns
    -------
    float
    """
    if contamination == "auto":
        return lower_fence(scores)
    return float(np.percentile(scores, 100.0 * contamination, method="weibull"))


def held_out_rows_needed(contamination):
    """Fewest held-out rows whose lowest score is not above the ``contamination`` percentile: ``c (n + 1) >= 1``."""
    return max(1, math.ceil(1.0 / contamination - 1.0 - 1e-9))


def _training_rows_needed(n_held_out, fraction):
    """Fewest training rows of which ``calibration_rows`` holds out ``n_held_out`` (None: none can)."""
    if fraction == 0:
        return None
    hi = max(1, 5 * n_held_out, math.ceil(n_held_out / fraction) + 1)
    lo = 1
    while lo < hi:  # calibration_rows is non-decreasing in n_samples
        mid = (lo + hi) // 2
        if calibration_rows(mid, fraction) >= n_held_out:
            hi = mid
        else:
            lo = mid + 1
    return lo


def warn_if_too_few_held_out(contamination, n_held_out, n_samples=None, fraction=None, stacklevel=4):
    """Warn when ``n_held_out`` held-out rows cannot give a ``contamination`` threshold.

    The lowest threshold held-out rows give is their lowest score, and a new normal row
    falls below it with probability ``1 / (n_held_out + 1)``: above ``contamination``
    when ``contamination * (n_held_out + 1) < 1``. The warning says how many held-out
    rows (and, given ``n_samples`` and ``fraction``, how many training rows or which
    ``calibration_fraction``) would be needed.
    """
    if contamination == "auto" or n_held_out == 0:
        return
    needed = held_out_rows_needed(contamination)
    if n_held_out >= needed:
        return
    how = ""
    if fraction is not None and n_samples is not None:
        n_rows = _training_rows_needed(needed, fraction)
        options = []
        if n_rows is not None:
            options.append(f"fit on at least {n_rows} rows")
        if needed / n_samples <= 0.5:
            options.append(f"set calibration_fraction to at least {math.ceil(1000 * needed / n_samples) / 1000:g}")
        if options:
            how = ": " + " or ".join(options)
    warnings.warn(
        f"contamination={contamination:g} needs at least {needed} held-out rows, and {n_held_out} were held "
        f"out: the threshold is their lowest score, below which a new normal row falls with probability "
        f"1/{n_held_out + 1} = {1 / (n_held_out + 1):.3g} on average, not {contamination:g}{how}.",
        UserWarning,
        stacklevel=stacklevel,
    )


def lower_fence(scores):
    """Tukey's lower fence ``Q1 - 1.5 * IQR`` of ``scores`` (the box-plot outlier rule).

    Parameters
    ----------
    scores : array-like of shape (n_samples,)

    Returns
    -------
    float
    """
    q1, q3 = np.percentile(scores, [25.0, 75.0])
    return float(q1 - 1.5 * (q3 - q1))
