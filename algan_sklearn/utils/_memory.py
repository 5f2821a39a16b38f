"""Warnings before fitting steps whose memory and time grow as the number of features squared."""

import warnings

#: Above this many features, a fitting step that builds ``d x d`` matrices warns first.
QUADRATIC_FEATURES = 1000


def warn_if_quadratic(n_features, n_matrices, step, remedy, stacklevel=2):
    """Warn, before it starts, that ``step`` builds ``n_matrices`` ``d x d`` float64 matrices.

    Nothing happens at or below ``QUADRATIC_FEATURES`` features. Above, a
    ``UserWarning`` names the number of features, the estimated memory of the
    matrices (their time grows as ``d**3``) and ``remedy``.

    Parameters
    ----------
    n_features : int
    n_matrices : int
        How many ``d x d`` float64 matrices the step holds at its peak (measured).
    step : str
        What builds them, for the message.
    remedy : str
        What the user can do instead, for the message.
    stacklevel : int
        Passed to :func:`warnings.warn` (1 is the caller).
    """
    if n_features <= QUADRATIC_FEATURES:
        return
    mib = n_matrices * 8 * float(n_features) ** 2 / 2**20
    warnings.warn(
        f"{step} on {n_features} features builds {n_features} x {n_features} matrices: about {mib:,.0f} MiB "
        f"of memory, and time that grows as the number of features cubed. {remedy}",
        UserWarning,
        stacklevel=stacklevel + 1,
    )
