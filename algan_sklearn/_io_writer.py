"""Tables out of the command line: one writer, streaming (CSV) or at the end (parquet).

The output is written to a temporary file next to it and renamed when complete;
symbolic links are followed (the link stays, its target is written) and a file that is
replaced keeps its mode. A character device (``/dev/null``) or a named pipe is written
to directly, never replaced; any other kind of file is refused.
"""

import csv
import os
import stat
from pathlib import Path

import numpy as np

from ._io import CLIError, _need_parquet, is_parquet


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
