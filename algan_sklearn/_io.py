"""Tables in and out of the command line: one CSV reader, one writer, both streaming.

A CSV file is read with the standard library's ``csv`` module, ``CHUNK_ROWS`` rows at a
time, so scoring a file needs memory for one chunk, not for the file. A cell is a
number when Python's ``float`` reads it (``1e308``, ``100000000000000000000``,
``1_000`` and `` 2.5 `` included) and the result is finite; an empty cell or one of
``MISSING`` is a missing value. Every problem is reported as one line naming the
file, the column, the line and the value. Parquet files (``.parquet``, with pandas
and pyarrow installed) are read whole.

The output is written to a temporary file next to it and renamed when complete;
symbolic links are followed (the link stays, its target is written) and a file that is
replaced keeps its mode. A character device (``/dev/null``) or a named pipe is written
to directly, never replaced; any other kind of file is refused.
"""

import csv
import importlib.util
import math
import os
import shlex
import stat
from pathlib import Path

import numpy as np

#: Rows read, scored and written at a time.
CHUNK_ROWS = 16384
#: Cells read as a missing value (compared without case and surrounding spaces).
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "-nan", "#n/a"})


class CLIError(Exception):
    """An input error reported as one line on stderr, with exit status 2."""


def one_line(text):
    """``text`` on one line (runs of white space collapsed)."""
    return " ".join(str(text).split())


def is_parquet(path):
    return str(path).lower().endswith(".parquet")


def _need_parquet(path, verb):
    have = importlib.util.find_spec("pandas") and (
        importlib.util.find_spec("pyarrow") or importlib.util.find_spec("fastparquet")
    )
    if not have:
        raise CLIError(f"{verb} parquet file '{path}' needs pandas and pyarrow: pip install pandas pyarrow")


def output_target(path, option="--output"):
    """The file that writing ``path`` changes, and whether it is written in place.

    Parameters
    ----------
    path : str or Path
    option : str
        The option that named ``path``, for error messages.

    Returns
    -------
    target : Path
        ``path`` with its symbolic links resolved (a dangling link's target is created).
    direct : bool
        True for a character device or a named pipe: written to, never replaced.

    Raises
    ------
    CLIError
        If the target exists and is not a regular file, a character device or a named
        pipe (a folder, a block device, a socket), or is a file that cannot be written.
    """
    target = Path(os.path.realpath(path))
    shown = f"'{path}'" if target == Path(os.path.abspath(path)) else f"'{path}' (a link to '{target}')"
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target, False
    except OSError as exc:
        raise CLIError(f"{option}: cannot use {shown}: {exc.strerror or exc}") from None
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return target, True
    if not stat.S_ISREG(mode):
        kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
        kind = next((name for test, name in kinds if test(mode)), "a special file")
        raise CLIError(f"{option}: {shown} is {kind}, not a regular file; give a file name")
    if not os.access(target, os.W_OK):
        raise CLIError(f"{option}: {shown} is read-only; change its mode or give another file name")
    return target, False


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
    """Read a CSV (streaming) or parquet file of numeric columns with a header row.

    Parameters
    ----------
    path : str or Path
    role : str
        ``'train'`` or ``'test'``: named in error messages.

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
        self._frame = None
        self.skipped = []
        if is_parquet(self.path):
            _need_parquet(self.path, "reading")
            import pandas as pd

            try:
                self._frame = pd.read_parquet(self.path)
            except Exception as exc:  # noqa: BLE001 - any reader failure is an input error
                raise CLIError(f"cannot read {self.name} as parquet: {one_line(exc)}") from None
            header = [str(c) for c in self._frame.columns]
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
        if self._frame is None and not self._file.closed:
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
        if self._frame is None and all(_looks_numeric(c) for c in columns):
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

    def chunks(self, chunk_rows=CHUNK_ROWS):
        """Yield ``(cells, X)`` per chunk: the cells as read (list of lists of str, or
        the DataFrame for parquet) and their float64 values, shape (n_rows, n_columns),
        NaN in the skipped columns."""
        if self._frame is not None:
            X = self._parquet_values()
            yield self._frame, X
            return
        n_yielded = 0
        chunk, lines = [], []
        for line, row in self._rows():
            if len(row) != len(self.columns):
                raise CLIError(f"{self.name}: line {line} has {len(row)} fields, the header has {len(self.columns)}")
            chunk.append(row)
            lines.append(line)
            if len(chunk) == chunk_rows:
                yield chunk, self._values(chunk, lines)
                n_yielded += len(chunk)
                chunk, lines = [], []
        self._file.close()
        if chunk:
            yield chunk, self._values(chunk, lines)
            n_yielded += len(chunk)
        if n_yielded == 0:
            raise CLIError(f"{self.name} has a header but no data rows")

    def read(self):
        """All rows: ``(cells, X)`` as one chunk."""
        parts = list(self.chunks())
        if self._frame is not None:
            return parts[0]
        return [row for c, _ in parts for row in c], np.concatenate([x for _, x in parts])

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

    def _parquet_values(self):
        import pandas as pd

        frame = self._frame
        if frame.shape[0] == 0:
            raise CLIError(f"{self.name} has a header but no data rows")
        X = np.full(frame.shape, np.nan)
        for j, (col, name) in enumerate(zip(frame.columns, self.columns)):
            if j in self.skipped:
                continue
            series = frame[col]
            if not (pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series)):
                numeric = pd.to_numeric(series, errors="coerce")
                bad = np.flatnonzero((numeric.isna() & series.notna()).to_numpy())
                example = f" (value {str(series.iloc[bad[0]])!r} on row {bad[0] + 1})" if len(bad) else ""
                raise CLIError(f"column '{name}' of {self.name} is not numeric{example}{_drop_hint(name)}")
            X[:, j] = series.astype(np.float64).to_numpy(dtype=np.float64, na_value=np.nan)
            if not np.isfinite(X[:, j]).all():
                i = int(np.flatnonzero(~np.isfinite(X[:, j]))[0])
                what = "a missing value" if np.isnan(X[i, j]) else "a non-finite value"
                raise CLIError(f"column '{name}' of {self.name} has {what} on row {i + 1}")
        return X


class TableWriter:
    """Write rows with added columns, chunk by chunk: CSV (streaming) or parquet (at the end).

    A context manager: rows go to a temporary file next to the target of ``path``
    (see :func:`output_target`), renamed to it when the block succeeds and removed when
    it fails, so a failed command leaves no partial output; a file replaced keeps its
    mode. A character device or a named pipe is written to directly.

    Parameters
    ----------
    path : str or Path
    columns : list of str
        Names of the input columns followed by the added ones.
    skipped : list of int, default=()
        Input columns written from the cells as read rather than from ``X`` (the
        reader's ``skipped`` columns: text, or anything else, kept as it was).
    """

    def __init__(self, path, columns, skipped=()):
        self.path = Path(path)
        self.columns = list(columns)
        self.skipped = list(skipped)
        target, direct = output_target(path)
        self._target = target
        self._part = None if direct else target.with_name(f".{target.name}.part")
        self._parts = [] if is_parquet(self.path) else None
        if self._parts is not None:
            _need_parquet(self.path, "writing")
        try:
            self._file = self._open(binary=self._parts is not None)
        except OSError as exc:
            raise CLIError(f"cannot write '{path}': {exc.strerror or exc}") from None
        if self._parts is None:
            self._writer = csv.writer(self._file)
            self._writer.writerow(self.columns)

    def _open(self, binary):
        text = {} if binary else {"newline": "", "encoding": "utf-8"}
        if self._part is None:
            return open(self._target, "wb" if binary else "w", **text)
        try:
            mode = stat.S_IMODE(self._target.stat().st_mode)
        except FileNotFoundError:
            mode = None  # a new file: the usual mode (0o666 less the umask)
        self._part.unlink(missing_ok=True)  # left by a killed run
        fd = os.open(self._part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else 0o600)
        try:
            if mode is not None:
                os.fchmod(fd, mode)  # before any row is written
            return os.fdopen(fd, "wb" if binary else "w", **text)
        except BaseException:
            os.close(fd)
            self._part.unlink(missing_ok=True)
            raise

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        done = False
        try:
            if exc_type is None:
                self._close()
                if self._part is not None:
                    self._part.replace(self._target)
                done = True
        finally:
            if not done:
                self._file.close()
                if self._part is not None:
                    self._part.unlink(missing_ok=True)

    def write(self, cells, X, *added):
        """Write one chunk: the input (``X``, and ``cells`` as read for the skipped
        columns: lists of str, a DataFrame, or None) and the added columns."""
        if self._parts is not None:
            self._parts.append((X, _kept_columns(cells, self.skipped), added))
            return
        if not isinstance(cells, list):
            frame, cells = cells, [[repr(float(v)) for v in row] for row in X]
            for j in self.skipped if frame is not None else ():
                for row, value in zip(cells, frame.iloc[:, j].tolist()):
                    row[j] = _text(value)
        extra = [[repr(float(v)) if np.issubdtype(a.dtype, np.floating) else str(v) for v in a] for a in added]
        self._writer.writerows([c.strip() for c in row] + list(e) for row, *e in zip(cells, *extra))

    def _close(self):
        if self._parts is None:
            self._file.close()
            return
        import pandas as pd

        n_in = len(self.columns) - len(self._parts[0][2])
        frame = pd.DataFrame(np.concatenate([x for x, _, _ in self._parts]), columns=self.columns[:n_in])
        for j in self.skipped:
            kept = [part[j] for _, part, _ in self._parts]
            frame[frame.columns[j]] = (
                pd.concat(kept, ignore_index=True) if isinstance(kept[0], pd.Series) else [v for k in kept for v in k]
            )
        for k, name in enumerate(self.columns[n_in:]):
            frame[name] = np.concatenate([a[k] for _, _, a in self._parts])
        frame.to_parquet(self._file, index=False)
        self._file.close()


def _kept_columns(cells, skipped):
    """{column index: values} of the skipped columns of a chunk: a Series of a
    DataFrame (its type kept), text of CSV cells (an empty cell is missing)."""
    if cells is None:
        return {}
    if not isinstance(cells, list):
        return {j: cells.iloc[:, j].reset_index(drop=True) for j in skipped}
    return {j: [row[j].strip() or None for row in cells] for j in skipped}


def _text(value):
    """A parquet cell as CSV text: missing values empty."""
    try:
        missing = value is None or bool(value != value)  # NaN, NaT, pd.NA
    except (TypeError, ValueError):  # pd.NA's comparison, an array in a cell
        missing = value is not None and str(value) == "<NA>"
    return "" if missing else str(value)
