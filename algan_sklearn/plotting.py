"""Plots: a fitted detector's training history, and benchmark results (matplotlib, the ``plot`` extra)."""

import math

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["plot_auroc_scatter", "plot_history"]

_LABELS = {
    "loss_d": "discriminator loss",
    "loss_g": "generator loss",
    "logit_real": "D logit, training rows",
    "logit_fake": "D logit, fake-normal",
    "logit_anomalous": "D logit, pseudo-anomalies",
    "logit_buffer": "D logit, buffered early samples",
    "weight_change_d": "change of D's weights (relative)",
}


def plot_history(detector, ax=None, *, keys=("loss_d", "loss_g"), x="n_iter"):
    """Plot per-epoch training curves from ``detector.history_``.

    Parameters
    ----------
    detector : fitted ALGANDetector, or a Pipeline ending in one
        Any fitted estimator with a ``history_`` dict of equal-length lists.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; None creates a new figure with ``plt.subplots()``.
    keys : tuple of str, default=('loss_d', 'loss_g')
        Entries of ``history_`` to draw, one line each. ``('logit_real',
        'logit_fake', 'logit_anomalous')`` shows how D separates the training
        rows from the generated ones.
    x : {'n_iter', 'epoch'}, default='n_iter'
        Entry of ``history_`` for the horizontal axis.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on, with one labelled line per key and a legend.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install "algan-sklearn[plot]"``).
    sklearn.exceptions.NotFittedError
        If the detector is not fitted.
    KeyError
        If a key is not in ``history_``.

    Examples
    --------
    >>> import numpy as np
    >>> from algan_sklearn import ALGANDetector
    >>> from algan_sklearn.plotting import plot_history
    >>> X = np.random.RandomState(0).normal(size=(100, 2))
    >>> det = ALGANDetector(max_iter=20, random_state=0).fit(X)
    >>> ax = plot_history(det)  # doctest: +SKIP
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "plot_history needs matplotlib, which is not installed; install it with "
            'pip install "algan-sklearn[plot]" (or pip install matplotlib).'
        ) from exc
    final = detector.steps[-1][1] if hasattr(detector, "steps") else detector
    check_is_fitted(final, "history_")
    history = final.history_
    missing = [k for k in (x, *keys) if k not in history]
    if missing:
        raise KeyError(f"history_ has no {missing}; it has {sorted(history)}.")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    for key in keys:
        ax.plot(history[x], history[key], label=_LABELS.get(key, key))
    ax.set_xlabel("iteration" if x == "n_iter" else x)
    ax.set_ylabel("loss" if all(k.startswith("loss") for k in keys) else "value")
    ax.set_title(f"{type(final).__name__} training history")
    ax.legend()
    return ax


def plot_auroc_scatter(rows, *, x="kNN", y="ALGAN", ax=None, annotate=False):
    """Scatter plot of per-data-set AUROC of two detectors, with the diagonal.

    Points above the diagonal are data sets where ``y`` beats ``x``. The shaded
    corner marks "inverted" sets (``y`` below 0.5 while ``x`` is above 0.7).

    Parameters
    ----------
    rows : list of dict or DataFrame
        Per-run rows, as returned by :func:`~algan_sklearn.benchmark.run_benchmark`.
    x, y : str, default='kNN', 'ALGAN'
        Detector labels for the horizontal and vertical axes.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure is made with :mod:`matplotlib.pyplot` if None.
    annotate : bool, default=False
        Write the data set names next to the points.

    Returns
    -------
    ax : matplotlib Axes

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install 'algan-sklearn[plot]'``).
    ValueError
        If no data set has results for both detectors.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(
            "plot_auroc_scatter needs matplotlib, which is not installed: pip install 'algan-sklearn[plot]'"
        ) from None
    from .benchmark._report import INVERTED_BELOW, REFERENCE_ABOVE, per_dataset

    table = per_dataset(rows)
    by = {(r["dataset"], r["detector"]): r["auroc"] for r in table}
    names = [
        ds
        for ds in dict.fromkeys(r["dataset"] for r in table)
        if math.isfinite(by.get((ds, x), math.nan)) and math.isfinite(by.get((ds, y), math.nan))
    ]
    if not names:
        raise ValueError(f"No data set has AUROC results for both {x!r} and {y!r}.")
    xs = np.array([by[(ds, x)] for ds in names])
    ys = np.array([by[(ds, y)] for ds in names])
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 5))
    ax.fill_between([REFERENCE_ABOVE, 1.0], 0.0, INVERTED_BELOW, color="tab:red", alpha=0.08, lw=0)
    ax.plot([0, 1], [0, 1], color="0.5", lw=1, ls="--")
    ax.scatter(xs, ys, s=22, color="tab:blue", zorder=3)
    if annotate:
        for ds, xv, yv in zip(names, xs, ys):
            ax.annotate(ds, (xv, yv), fontsize=6, xytext=(3, 2), textcoords="offset points")
    lo = min(0.0, float(xs.min()), float(ys.min()))
    ax.set_xlim(lo, 1.0)
    ax.set_ylim(lo, 1.0)
    ax.set_aspect("equal")
    ax.set_xlabel(f"{x} AUROC (mean {xs.mean():.3f})")
    ax.set_ylabel(f"{y} AUROC (mean {ys.mean():.3f})")
    ax.set_title(f"{y} vs {x}: per data set AUROC, {len(names)} sets; {int((ys > xs).sum())} above diagonal")
    ax.title.set_fontsize(9)
    return ax
