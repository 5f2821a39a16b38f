"""Scoring data larger than memory: in chunks, from files, or in parallel with Dask.

A fitted detector scores rows independently of each other, so a data set that
does not fit in memory can be scored piece by piece. :func:`score_in_chunks`
takes the data in one of the forms such data usually come in and returns one
score per row, in order:

* a 2-D ``dask.array.Array`` or a ``dask.dataframe.DataFrame``: a *lazy* Dask
  collection of scores built with ``map_blocks`` / ``map_partitions``; compute
  it (``.compute()``, ``.to_zarr()``, ...) on the scheduler of your choice,
  a ``dask.distributed`` cluster included;
* file paths (one or a list): ``.npz``, ``.npy`` (memory-mapped), ``.parquet``
  and ``.csv`` files, read one at a time and, for ``.npy``, ``.parquet`` and
  ``.csv``, ``batch_rows`` rows at a time (parquet and CSV files with the command
  line's reader, ``_io.TableReader``);
* an iterable of in-memory chunks (arrays or DataFrames, such as a generator
  reading a database), or one array such as a ``numpy.memmap``.

See :doc:`/recipes_distributed` for running this on a multi-machine cluster.
"""

import os
from pathlib import Path

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._io import TableReader, chunk_rows

__all__ = ["score_in_chunks"]

_METHODS = ("score_samples", "decision_function", "predict")
_SUFFIXES = (".npz", ".npy", ".parquet", ".pq", ".csv")
#: Bytes of memory per value of an in-memory chunk: the value and the detector's float64 copy of it.
VALUE_BYTES = 16


def _apply_method(block, estimator, method):
    """Score one in-memory block (a map_blocks / map_partitions task).

    A block without rows (a Dask partition emptied by a filter, an empty chunk) gets
    no scores; the estimator, which rejects 0 rows, is not called.
    """
    if np.shape(block)[0] == 0:
        return np.empty((0,), dtype=np.float64)
    return np.asarray(getattr(estimator, method)(block), dtype=np.float64)


def _score_partition(frame, estimator, method, columns):
    import pandas as pd

    X = _prepare_frame(frame, estimator, columns)
    return pd.Series(_apply_method(X, estimator, method), index=frame.index, name=method)


def _prepare_frame(frame, estimator, columns):
    """Select the feature columns; keep a frame only if the estimator knows feature names."""
    if columns is not None:
        frame = frame[columns]
    return frame if getattr(estimator, "feature_names_in_", None) is not None else frame.to_numpy()


def _feature_columns(estimator, columns):
    if columns is not None:
        return list(columns)
    names = getattr(estimator, "feature_names_in_", None)
    return None if names is None else list(names)


def _is_dask_collection(data):
    if not type(data).__module__.startswith("dask"):
        return False
    import dask

    return dask.is_dask_collection(data)


def _score_dask(estimator, data, method, columns):
    import dask

    est = dask.delayed(estimator, pure=True)
    if hasattr(data, "map_partitions"):
        import pandas as pd

        meta = pd.Series(dtype=np.float64, name=method)
        return data.map_partitions(_score_partition, est, method, _feature_columns(estimator, columns), meta=meta)
    if getattr(data, "ndim", None) != 2:
        raise ValueError(f"A dask array to score must be 2-D (n_samples, n_features); got shape {data.shape}.")
    if data.numblocks[1] != 1:
        data = data.rechunk({1: -1})  # each block holds whole rows
    return data.map_blocks(
        _apply_method, est, method, drop_axis=1, dtype=np.float64, meta=np.empty((0,), dtype=np.float64)
    )


def _iter_array(X, batch_rows):
    if batch_rows is None:
        batch_rows = chunk_rows(X.shape[1] if X.ndim == 2 else 1, VALUE_BYTES, max_n_rows=X.shape[0])
    rows = X.iloc if hasattr(X, "iloc") else X
    for start in range(0, X.shape[0], batch_rows):
        yield rows[start : start + batch_rows]


def _iter_table(path, estimator, columns, batch_rows):
    """Chunks of the feature columns of a parquet or CSV file, read by the command line's reader."""
    with TableReader(path, "input") as table:
        cols = _feature_columns(estimator, columns) or table.columns
        missing = [c for c in cols if c not in table.columns]
        if missing:
            raise ValueError(f"{path} has no column {missing[0]!r} (it has {table.columns}); pass columns=.")
        table.skip([c for c in table.columns if c not in cols])  # other columns are not parsed
        order = [table.columns.index(c) for c in cols]
        named = getattr(estimator, "feature_names_in_", None) is not None
        if named:
            import pandas as pd
        for _, X in table.chunks(batch_rows):
            yield pd.DataFrame(X[:, order], columns=cols) if named else X[:, order]


def _iter_file(path, estimator, *, npz_key, columns, batch_rows):
    suffix = Path(path).suffix.lower()
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as npz:
            if npz_key not in npz.files:
                raise KeyError(f"{path} has no array {npz_key!r} (it has {npz.files}); pass npz_key=.")
            yield from _iter_array(npz[npz_key], batch_rows)
    elif suffix == ".npy":
        yield from _iter_array(np.load(path, mmap_mode="r", allow_pickle=False), batch_rows)
    elif suffix in (".parquet", ".pq", ".csv"):
        yield from _iter_table(path, estimator, columns, batch_rows)
    else:
        raise ValueError(f"Cannot read {path}: the suffix must be one of {_SUFFIXES}.")


def _is_path(item):
    return isinstance(item, (str, os.PathLike))


def score_in_chunks(
    estimator,
    data,
    *,
    method="score_samples",
    columns=None,
    npz_key="X",
    batch_rows=None,
):
    """Score data that need not fit in memory, chunk by chunk.

    Parameters
    ----------
    estimator : fitted estimator
        An outlier detector (or a Pipeline ending in one). Only its scoring
        method is called; it is not changed. For Dask input it is sent to the
        workers once (pickled; fitted ALGAN networks pickle on the CPU).
    data : dask array, dask DataFrame, path, iterable of paths or chunks, or array
        The rows to score, one of:

        - ``dask.array.Array`` of shape (n_samples, n_features): chunks along
          the rows (column chunks are merged first);
        - ``dask.dataframe.DataFrame``: each partition is scored;
        - a path (``str`` or ``os.PathLike``) or an iterable of paths to
          ``.npz`` (array ``npz_key``), ``.npy``, ``.parquet`` / ``.pq`` or
          ``.csv`` files, scored in the order given;
        - an iterable of array-likes or DataFrames of shape
          (n_chunk_rows, n_features), such as a generator; paths and chunks may
          be mixed;
        - one array-like with a ``shape`` (an ndarray, a ``numpy.memmap``, a
          DataFrame), scored ``batch_rows`` rows at a time.
    method : {'score_samples', 'decision_function', 'predict'}, default='score_samples'
        The estimator's method to apply to each chunk.
    columns : list of str, default=None
        For data frames (parquet and CSV files, pandas and Dask DataFrames): the
        feature columns, in the order the estimator was fitted with. None uses the estimator's
        ``feature_names_in_`` when it has them (so extra columns such as a label
        are left out), else all columns. Data frames are passed on as frames when
        the estimator was fitted with feature names, else as arrays.
    npz_key : str, default='X'
        Name of the array to score in ``.npz`` files.
    batch_rows : int, default=None
        Rows read and scored at a time from ``.npy``, parquet and CSV files and
        from a single array; bounds the memory in use besides the scores. None
        chooses it from scikit-learn's ``working_memory`` (as
        ``IsolationForest.score_samples`` does): about that many MiB per chunk.

    Returns
    -------
    scores : ndarray of shape (n_samples,), float64, or a lazy Dask collection
        One value per row, in input order; empty chunks and partitions (after a
        filter, say) contribute none. For a dask array, a 1-D
        ``dask.array.Array`` with one chunk per row block; for a dask DataFrame,
        a ``dask.dataframe.Series`` aligned with its index. Both are lazy: call
        ``.compute()``, or write them out without gathering them.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.
    ValueError
        If ``method`` is unknown or missing on the estimator, ``batch_rows`` is
        not positive, a dask array is not 2-D, a file suffix is not supported,
        a parquet or CSV file lacks a column or holds a value that is not a
        finite number, a parquet file is given without pandas and pyarrow
        installed, or no rows were given.
    KeyError
        If an ``.npz`` file has no array ``npz_key``.

    Examples
    --------
    >>> import numpy as np
    >>> from algan_sklearn import ZScoreDetector
    >>> from algan_sklearn.parallel import score_in_chunks
    >>> X = np.random.RandomState(0).normal(size=(1000, 3))
    >>> det = ZScoreDetector().fit(X)
    >>> chunks = (X[i : i + 300] for i in range(0, 1000, 300))
    >>> bool(np.allclose(score_in_chunks(det, chunks), det.score_samples(X)))
    True

    With Dask (the ``distributed`` extra), lazily and on any scheduler:

    >>> import dask.array as da  # doctest: +SKIP
    >>> scores = score_in_chunks(det, da.from_array(X, chunks=(250, -1)))  # doctest: +SKIP
    >>> scores.compute()  # doctest: +SKIP
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}.")
    if not hasattr(estimator, method):
        raise ValueError(f"{type(estimator).__name__} has no method {method!r}.")
    if batch_rows is not None and (
        not isinstance(batch_rows, (int, np.integer)) or isinstance(batch_rows, bool) or batch_rows < 1
    ):
        raise ValueError(f"batch_rows must be a positive int or None; got {batch_rows!r}.")
    check_is_fitted(estimator)

    if _is_dask_collection(data):
        return _score_dask(estimator, data, method, columns)
    items = [data] if _is_path(data) or hasattr(data, "shape") else data

    scores = []
    for item in items:
        if _is_path(item):
            chunks = _iter_file(item, estimator, npz_key=npz_key, columns=columns, batch_rows=batch_rows)
        elif hasattr(item, "columns"):
            frame = _prepare_frame(item, estimator, _feature_columns(estimator, columns))
            chunks = _iter_array(frame, batch_rows)
        elif hasattr(item, "shape"):
            chunks = _iter_array(item, batch_rows)
        else:
            chunks = [item]
        for chunk in chunks:
            scores.append(_apply_method(chunk, estimator, method))
    if not scores:
        raise ValueError("No rows to score: data held no chunks.")
    return np.concatenate(scores)
