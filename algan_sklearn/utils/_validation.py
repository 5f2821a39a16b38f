"""Input validation shared by every detector: scikit-learn's ``validate_data`` plus clear errors
for column types it would reject with a numpy traceback."""

from numbers import Integral

from ._compat import validate_data as _sklearn_validate_data


def _reject_time_columns(X):
    """Raise a ValueError naming the first datetime, timedelta or period column of a DataFrame."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "items"):
        return
    for name, dtype in dtypes.items():
        kind = getattr(dtype, "kind", None)
        text = str(dtype)
        if kind in ("M", "m") or text.startswith(("datetime", "timedelta", "period")):
            raise ValueError(
                f"Column {name!r} has dtype {text}: the detectors need numeric features. Convert it first, "
                "for example to seconds since a reference time."
            )


def validate_data(estimator, X="no_validation", **kwargs):
    """scikit-learn's ``validate_data``, after rejecting time-like DataFrame columns by name."""
    _reject_time_columns(X)
    return _sklearn_validate_data(estimator, X, **kwargs)


def check_positive_int_tuple(value, name):
    """``value`` as a non-empty tuple of positive ints (``ValueError`` naming ALGANDetector's ``name`` otherwise)."""
    try:
        values = tuple(value)
    except TypeError:
        values = None
    if (
        values is None
        or len(values) == 0
        or not all(isinstance(v, Integral) and not isinstance(v, bool) and v > 0 for v in values)
    ):
        raise ValueError(
            f"The '{name}' parameter of ALGANDetector must be a non-empty tuple of positive "
            f"ints. Got {value!r} instead."
        )
    return tuple(int(v) for v in values)


def check_betas(value):
    """``value`` as a pair of floats in [0, 1) (Adam's betas), else ``ValueError``."""
    try:
        betas = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        betas = ()
    if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
        raise ValueError(
            "The 'betas' parameter of ALGANDetector must be a pair (beta1, beta2) of floats "
            f"in [0, 1). Got {value!r} instead."
        )
    return betas
