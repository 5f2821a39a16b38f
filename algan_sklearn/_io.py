"""Tables into the package: one reader of CSV and parquet files, streaming (the writer: ``_io_writer.py``).

The command line and :func:`algan_sklearn.parallel.score_in_chunks` read files with
:class:`TableReader`. A CSV file is read with the standard library's ``csv`` module
and a parquet file (``.parquet`` or ``.pq``, with pandas and pyarrow installed) with
pyarrow, a chunk of rows at a time (:func:`chunk_rows`: about scikit-learn's
``working_memory``), so reading a file needs memory for one chunk, not for the file.
A cell is a number when Python's ``float`` reads it (``1e308``,
``100000000000000000000``, ``1_000`` and `` 2.5 `` included) and the result is finite;
an empty cell or one of ``MISSING`` is a missing value. Every problem is reported as
one line naming the file, the column, the line and the value.
"""

import csv
import importlib.util
import math
import shlex
from pathlib import Path

import numpy as np

#: Bytes of memory per cell of a chunk of a table: the cell as text (a Python ``str``), its float64
#: value, and the text written out.
CELL_BYTES = 128
#: Cells read as a missing value (compared without case and surrounding spaces).
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "-nan", "#n/a"})


class CLIError(ValueError):
    """An input error: one line on stderr with exit status 2 on the command line, a ``ValueError`` elsewhere."""


def chunk_rows(n_columns, cell_bytes=CELL_BYTES, max_n_rows=None):
    """Rows per chunk so that a chunk takes about scikit-learn's ``working_memory``.

    As ``IsolationForest.score_samples`` chooses its chunks: ``get_chunk_n_rows`` with
    ``n_columns * cell_bytes`` bytes a row (set the memory with
    ``sklearn.set_config(working_memory=MiB)`` or the environment variable
    ``SKLEARN_WORKING_MEMORY``).

    Parameters
    ----------
    n_columns : int
    cell_bytes : int, default=CELL_BYTES
        Bytes of memory per cell.
    max_n_rows : int, default=None
        At most this many rows (None: no bound).

    Returns
    -------
    int, at least 1
    """
    from .utils._compat import get_chunk_n_rows

    bound = None if max_n_rows is None else max(1, max_n_rows)  # 0 rows: one-row chunks, no warning
    return get_chunk_n_rows(row_bytes=max(1, n_columns) * cell_bytes, max_n_rows=bound)


def one_line(text):
    """``text`` on one line (runs of white space collapsed)."""
    return " ".join(str(text).split())


def is_parquet(path):
    return str(path).lower().endswith((".parquet", ".pq"))


def _need_parquet(path, verb):
    if not (importlib.util.find_spec("pandas") and importlib.util.find_spec("pyarrow")):
        raise CLIError(f"{verb} parquet file '{path}' needs pandas and pyarrow: pip install pandas pyarrow")


def _drop_hint(name):
    """What to do about a column that is not numeric (an id, a name, a date)."""
    return f"; if it is not a feature, leave it out with --drop-columns {shlex.quote(name)}"


def _looks_numeric(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


class TableReader:
    """Read a CSV or parquet file of numeric columns with a header row, a chunk at a time.

    Parameters
    ----------
    path : str or Path
    role : str
        Named in error messages (``'train'``, ``'test'``, ``'input'``).

    Attributes
    ----------
    columns : list of str
        The header's names, surrounding spaces removed.

    Raises
    ------
    CLIError
        If the file is missing, empty, unreadable, has duplicate or empty column
        names, or its first line is all numbers (no header row).
    """

    def __init__(self, path, role):
        self.path = Path(path)
        self.role = role
        self.name = f"{role} file '{path}'"
        if not self.path.exists():
            raise CLIError(f"{self.name} does not exist")
        if not self.path.is_file():
            raise CLIError(f"{role} path '{path}' is not a file")
        if self.path.stat().st_size == 0:
            raise CLIError(f"{self.name} is empty")
        self._parquet = None
        self.skipped = []
        if is_parquet(self.path):
            _need_parquet(self.path, "reading")
            import pyarrow.parquet as pq

            try:
                self._parquet = pq.ParquetFile(self.path)
                schema = self._parquet.schema_arrow
            except Exception as exc:  # noqa: BLE001 - any reader failure is an input error
                raise CLIError(f"cannot read {self.name} as parquet: {one_line(exc)}") from None
            index = [c for c in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)]
            header = [c for c in schema.names if c not in index]  # a saved pandas index is not a column
        else:
            self._file = open(self.path, newline="", encoding="utf-8-sig")  # -sig: Excel's byte-order mark
            self._reader = csv.reader(self._file)
            try:
                header = next(self._rows(), None)
                if header is None:
                    raise CLIError(f"{self.name} is empty")
                self.columns = self._check_header(header[1])
            except CLIError:
                self._file.close()
                raise
            return
        self.columns = self._check_header(header)

    def skip(self, names):
        """Leave the columns ``names`` unparsed (kept for the output; NaN in ``X``)."""
        self.skipped = [j for j, c in enumerate(self.columns) if c in set(names)]
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Close the file (reading stops)."""
        if self._parquet is not None:
            self._parquet.close()
        elif not self._file.closed:
            self._file.close()

    def _rows(self):
        """(line number, cells) of the non-blank lines."""
        try:
            for row in self._reader:
                if row and any(cell.strip() for cell in row):
                    yield self._reader.line_num, row
        except UnicodeDecodeError as exc:
            raise CLIError(
                f"{self.name} is not UTF-8 text: byte {exc.object[exc.start : exc.start + 1]!r} after line "
                f"{self._reader.line_num}; save it as UTF-8"
            ) from None
        except csv.Error as exc:
            raise CLIError(
                f"cannot parse {self.name} as CSV near line {self._reader.line_num}: {one_line(exc)}"
            ) from None

    def _check_header(self, header):
        columns = [c.strip() for c in header]
        if not columns:
            raise CLIError(f"{self.name} has no columns")
        if self._parquet is None and all(_looks_numeric(c) for c in columns):
            import sys

            print(
                f"algan-sklearn: note: the first line of {self.name} is all numbers ({', '.join(columns[:3])}"
                f"{', ...' if len(columns) > 3 else ''}); it is read as the header row. If the file has no "
                "header row, add a first line with the column names.",
                file=sys.stderr,
            )
        for j, c in enumerate(columns):
            if c == "":
                raise CLIError(f"column {j + 1} of {self.name} has no name (a saved index?); name it in the header")
            if c in columns[:j]:
                raise CLIError(f"{self.name} has two columns named {c!r} (columns {columns.index(c) + 1} and {j + 1})")
        return columns

    def chunks(self, n_rows=None):
        """Yield ``(cells, X)`` per chunk of ``n_rows`` rows (None: :func:`chunk_rows`): the cells
        as read (list of lists of str, or a DataFrame for parquet) and their float64 values,
        shape (n_rows, n_columns), NaN in the skipped columns."""
        n_rows = n_rows or chunk_rows(len(self.columns))
        n_yielded = 0
        if self._parquet is not None:
            for batch in self._parquet.iter_batches(batch_size=n_rows, columns=self.columns):
                frame = batch.to_pandas()
                yield frame, self._parquet_values(frame, n_yielded)
                n_yielded += frame.shape[0]
        chunk, lines = [], []
        for line, row in self._rows() if self._parquet is None else ():
            if len(row) != len(self.columns):
                raise CLIError(f"{self.name}: line {line} has {len(row)} fields, the header has {len(self.columns)}")
            chunk.append(row)
            lines.append(line)
            if len(chunk) == n_rows:
                yield chunk, self._values(chunk, lines)
                n_yielded += len(chunk)
                chunk, lines = [], []
        self.close()
        if chunk:
            yield chunk, self._values(chunk, lines)
            n_yielded += len(chunk)
        if n_yielded == 0:
            raise CLIError(f"{self.name} has a header but no data rows")

    def read(self):
        """The values of all rows, shape (n_rows, n_columns), NaN in the skipped columns."""
        return np.concatenate([X for _, X in self.chunks()])

    def _values(self, chunk, lines):
        numeric = [j for j in range(len(self.columns)) if j not in self.skipped]
        cells = chunk if not self.skipped else [[row[j] for j in numeric] for row in chunk]
        try:
            values = np.array(cells, dtype=np.float64).reshape(len(cells), len(numeric))
        except ValueError:
            values = np.array(
                [[self._cell(row[j], j, line) for j in numeric] for row, line in zip(chunk, lines)]
            ).reshape(len(cells), len(numeric))
        if not np.isfinite(values).all():
            i, k = map(int, np.argwhere(~np.isfinite(values))[0])
            self._cell(chunk[i][numeric[k]], numeric[k], lines[i])  # raises with the cell's words
        if not self.skipped:
            return values
        X = np.full((len(chunk), len(self.columns)), np.nan)
        X[:, numeric] = values
        return X

    def _cell(self, cell, j, line):
        text = cell.strip()
        where = f"column '{self.columns[j]}' of {self.name}"
        if text.lower() in MISSING:
            shown = f" ({text!r})" if text else ""
            raise CLIError(f"{where} has a missing value{shown} on line {line}")
        try:
            value = float(text)
        except ValueError:
            hint = _drop_hint(self.columns[j])
            raise CLIError(f"{where} is not numeric (value {text!r} on line {line}){hint}") from None
        if not math.isfinite(value):
            raise CLIError(f"{where} has a non-finite value ({text!r}) on line {line}")
        return value

    def _parquet_values(self, frame, first_row):
        import pandas as pd

        X = np.full(frame.shape, np.nan)
        for j, (col, name) in enumerate(zip(frame.columns, self.columns)):
            if j in self.skipped:
                continue
            series = frame[col]
            if not (pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series)):
                numeric = pd.to_numeric(series, errors="coerce")
                bad = np.flatnonzero((numeric.isna() & series.notna()).to_numpy())
                row = first_row + bad[0] + 1 if len(bad) else None
                example = f" (value {str(series.iloc[bad[0]])!r} on row {row})" if len(bad) else ""
                raise CLIError(f"column '{name}' of {self.name} is not numeric{example}{_drop_hint(name)}")
            X[:, j] = series.astype(np.float64).to_numpy(dtype=np.float64, na_value=np.nan)
            if not np.isfinite(X[:, j]).all():
                i = int(np.flatnonzero(~np.isfinite(X[:, j]))[0])
                what = "a missing value" if np.isnan(X[i, j]) else "a non-finite value"
                raise CLIError(f"column '{name}' of {self.name} has {what} on row {first_row + i + 1}")
        return X
