"""Readers for ADBench-style ``.npz`` files and folders of them.

ADBench (Han et al., NeurIPS 2022 Datasets and Benchmarks) stores each data set
as an ``.npz`` archive with two arrays: ``X`` of shape ``(n_samples, n_features)``
and ``y`` of shape ``(n_samples,)`` with 1 = anomaly and 0 = normal.
"""

import os
import re
from pathlib import Path

import numpy as np


def _natural_key(path):
    """Sort key that orders ``2_x`` before ``10_x`` (ADBench names start with a number)."""
    return [int(tok) if tok.isdigit() else tok.lower() for tok in re.split(r"(\d+)", Path(path).name)]


def load_adbench_npz(path):
    """Load one ADBench-style ``.npz`` file.

    Parameters
    ----------
    path : str or path-like
        File holding the arrays ``X`` (2-D, numeric) and ``y`` (1-D, values in
        {0, 1}, 1 = anomaly) of equal length.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
        Features as stored, converted to float64.
    y : ndarray of shape (n_samples,), int64
        1 for anomalies, 0 for normal rows.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a readable ``.npz`` archive, lacks ``X`` or ``y``, the
        shapes do not match, ``X`` is not numeric or not finite, or ``y`` holds
        values other than 0 and 1.

    See Also
    --------
    iter_adbench_dir : every ``.npz`` file of a folder.

    Notes
    -----
    Files are read with ``allow_pickle=False``: ADBench stores plain numeric
    arrays, and unpickling a file is not safe unless its source is trusted.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from algan_sklearn.datasets import load_adbench_npz
    >>> path = os.path.join(tempfile.mkdtemp(), "toy.npz")
    >>> np.savez(path, X=np.zeros((3, 2)), y=np.array([0, 0, 1]))
    >>> X, y = load_adbench_npz(path)
    >>> X.shape, y.tolist()
    ((3, 2), [0, 0, 1])
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such data file: '{path}'")
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise ValueError(f"Cannot read '{path}' as an .npz archive: {exc}") from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(f"'{path}' is a single array, not an .npz archive holding 'X' and 'y'.")
    with data:
        missing = [key for key in ("X", "y") if key not in data.files]
        if missing:
            raise ValueError(
                f"'{path}' has no array named {' or '.join(map(repr, missing))} "
                f"(found {sorted(data.files)}); ADBench files hold 'X' and 'y'."
            )
        try:
            X_raw = data["X"]
            y_raw = data["y"]
        except (OSError, ValueError, EOFError) as exc:
            raise ValueError(f"Cannot read the arrays of '{path}': {exc}") from None

    if X_raw.ndim != 2:
        raise ValueError(f"'{path}': X must be 2-D, got shape {X_raw.shape}.")
    y_raw = np.ravel(y_raw) if y_raw.ndim == 2 and 1 in y_raw.shape else y_raw
    if y_raw.ndim != 1 or y_raw.shape[0] != X_raw.shape[0]:
        raise ValueError(f"'{path}': y must be 1-D with one label per row of X; got X {X_raw.shape}, y {y_raw.shape}.")
    if not (np.issubdtype(X_raw.dtype, np.number) or X_raw.dtype == np.bool_):
        raise ValueError(f"'{path}': X must be numeric, got dtype {X_raw.dtype}.")
    X = np.asarray(X_raw, dtype=np.float64)
    if not np.isfinite(X).all():
        raise ValueError(f"'{path}': X holds NaN or infinite values.")
    labels = np.unique(y_raw)
    if not np.isin(labels, [0, 1]).all():
        raise ValueError(f"'{path}': y must hold only 0 (normal) and 1 (anomaly), found {labels[:10].tolist()}.")
    return X, y_raw.astype(np.int64)


def list_adbench_dir(directory, *, pattern="*.npz"):
    """List the ADBench-style files of a folder in natural order.

    Parameters
    ----------
    directory : str or path-like
        Folder to scan (not recursive).
    pattern : str, default="*.npz"
        Glob pattern of the files to list.

    Returns
    -------
    paths : list of pathlib.Path
        Matching files, ordered by name with numbers compared as numbers
        (``2_annthyroid`` before ``10_cover``).

    Raises
    ------
    FileNotFoundError
        If ``directory`` is not a folder.
    ValueError
        If no file matches ``pattern``.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"No such data folder: '{directory}'")
    paths = sorted((p for p in directory.glob(pattern) if p.is_file()), key=_natural_key)
    if not paths:
        raise ValueError(f"No files matching '{pattern}' in '{directory}'.")
    return paths


def iter_adbench_dir(directory, *, pattern="*.npz"):
    """Load the ADBench-style files of a folder one at a time.

    Files are loaded lazily, so only one data set is in memory at a time.

    Parameters
    ----------
    directory : str or path-like
        Folder to scan (not recursive).
    pattern : str, default="*.npz"
        Glob pattern of the files to load.

    Yields
    ------
    name : str
        The file name without its extension (``'29_Pima'``).
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), int64
        1 = anomaly, 0 = normal.

    Raises
    ------
    FileNotFoundError
        If ``directory`` is not a folder.
    ValueError
        If no file matches ``pattern`` or a file is malformed (see
        :func:`load_adbench_npz`).

    See Also
    --------
    load_adbench_npz : the loader used for each file.
    list_adbench_dir : the file list, without loading.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from algan_sklearn.datasets import iter_adbench_dir
    >>> folder = tempfile.mkdtemp()
    >>> for name in ("10_b", "2_a"):
    ...     np.savez(os.path.join(folder, name + ".npz"), X=np.zeros((4, 3)), y=np.array([0, 0, 0, 1]))
    >>> [(name, X.shape) for name, X, y in iter_adbench_dir(folder)]
    [('2_a', (4, 3)), ('10_b', (4, 3))]
    """
    for path in list_adbench_dir(directory, pattern=pattern):
        X, y = load_adbench_npz(path)
        yield os.path.splitext(path.name)[0], X, y
