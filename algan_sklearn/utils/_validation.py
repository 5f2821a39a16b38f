"""Input validation shared by every detector: scikit-learn's ``validate_data`` plus clear errors
for column types it would reject with a numpy traceback."""

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
