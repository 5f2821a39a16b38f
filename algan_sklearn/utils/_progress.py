"""Progress reporting for ``verbose`` training: a tqdm bar when tqdm is installed, plain lines otherwise.

The training loop calls ``on_epoch(record)`` after every epoch with that epoch's
``epoch``, ``n_iter``, ``loss_d`` and ``loss_g`` (and more); :func:`progress_callback`
turns the estimator's ``verbose`` into such a callback.
"""

import sys


def _format(desc, record, total):
    return (
        f"[{desc}] epoch {record['epoch']:4d}  iter {record['n_iter']:6d}/{total}  "
        f"loss_d {record['loss_d']:.4f}  loss_g {record['loss_g']:.4f}"
    )


class _TqdmProgress:
    """A tqdm bar over iterations whose postfix shows the current losses of D and G."""

    def __init__(self, tqdm, total, desc):
        self._bar = tqdm(total=total, desc=desc, unit="it", leave=True)
        self._done = 0

    def __call__(self, record):
        self._bar.set_postfix(loss_d=f"{record['loss_d']:.4f}", loss_g=f"{record['loss_g']:.4f}", refresh=False)
        self._bar.update(record["n_iter"] - self._done)
        self._done = record["n_iter"]
        if self._done >= self._bar.total:
            self._bar.close()


class _LineProgress:
    """Plain lines on stdout: every epoch, or only when ``every`` more iterations have run."""

    def __init__(self, total, desc, every):
        self._total = total
        self._desc = desc
        self._every = every
        self._next = 0

    def __call__(self, record):
        n_iter = record["n_iter"]
        if n_iter >= self._next or n_iter >= self._total:
            print(_format(self._desc, record, self._total), file=sys.stdout, flush=True)
            self._next = n_iter + self._every


def progress_callback(verbose, total, desc):
    """The per-epoch callback for a given ``verbose`` level.

    Parameters
    ----------
    verbose : int or bool
        0: no callback (silent). 1: a tqdm progress bar on stderr with the
        current losses of D and G as postfix, when tqdm is installed (the
        ``progress`` extra); without tqdm, about ten plain lines on stdout. 2 or
        more: one plain line per epoch on stdout.
    total : int
        Number of training iterations (the bar's length).
    desc : str
        Label of the bar and prefix of the lines, such as ``'ALGANDetector'``.

    Returns
    -------
    on_epoch : callable or None
        ``on_epoch(record)`` where ``record`` holds at least ``epoch``,
        ``n_iter``, ``loss_d`` and ``loss_g``; None when ``verbose`` is 0.
    """
    if not verbose:
        return None
    if verbose == 1:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return _LineProgress(total, desc, every=max(1, total // 10))
        return _TqdmProgress(tqdm, total, desc)
    return _LineProgress(total, desc, every=1)
