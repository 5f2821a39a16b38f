"""Plots of a fitted detector's training history (matplotlib, the ``plot`` extra)."""

from sklearn.utils.validation import check_is_fitted

__all__ = ["plot_history"]

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
