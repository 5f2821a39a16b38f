"""Files in and out of the command line (``_io.py``, ``_io_writer.py``): where the output goes, and what it keeps.

The output is written through symbolic links and keeps the mode of the file it
replaces; a character device or a named pipe is written to directly (never replaced),
any other non-regular output is refused before the detector is fitted. Columns left
out with ``--drop-columns`` come back as they were read, with CSV and parquet alike.
"""

import os
import socket
import stat
import threading

import numpy as np
import pytest

from algan_sklearn.cli import main


@pytest.fixture
def files(tmp_path):
    rng = np.random.RandomState(0)
    train = tmp_path / "train.csv"
    test = tmp_path / "test.csv"
    train.write_text("a,b\n" + "".join(f"{x},{y}\n" for x, y in rng.normal(size=(40, 2)).tolist()))
    test.write_text("a,b\n" + "".join(f"{x},{y}\n" for x, y in rng.normal(size=(5, 2)).tolist()))
    return tmp_path, str(train), str(test)


def score(train, test, output, *extra):
    return main(["score", "--train", train, "--test", test, "--output", str(output), "--detector", "z-score", *extra])


def error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("algan-sklearn: error: "), err
    return err[0]


# ------------------------------------------------------------------------ where the output goes


def test_output_through_a_symbolic_link_writes_the_target(files):
    tmp_path, train, test = files
    (tmp_path / "results").mkdir()
    target = tmp_path / "results" / "scores.csv"
    link = tmp_path / "scores.csv"
    link.symlink_to(target)  # dangling: the target is created
    assert score(train, test, link) == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().splitlines()[0] == "a,b,score,label"
    target.write_text("old\n")  # an existing target is replaced, the link kept
    assert score(train, test, link) == 0
    assert link.is_symlink() and target.read_text().startswith("a,b,score,label")
    assert not list((tmp_path / "results").glob(".*part")) and not list(tmp_path.glob(".*part"))


def test_output_keeps_the_mode_of_the_file_it_replaces(files):
    tmp_path, train, test = files
    out = tmp_path / "secret.csv"
    out.write_text("old\n")
    out.chmod(0o600)
    assert score(train, test, out) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text().startswith("a,b,score,label")
    link = tmp_path / "link.csv"
    link.symlink_to(out)
    out.chmod(0o640)
    assert score(train, test, link) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and link.is_symlink()


def test_output_through_a_link_to_an_input_is_refused(files, capsys):
    tmp_path, train, test = files
    link = tmp_path / "out.csv"
    link.symlink_to(test)
    before = open(test).read()
    assert score(train, test, link) == 2
    assert "is one of the input files" in error_line(capsys)
    assert open(test).read() == before


def test_character_device_is_written_to_not_replaced(files):
    tmp_path, train, test = files
    device = tmp_path / "null"
    try:  # a null device of our own: the test never touches /dev
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot create a character device here: {exc}")
    assert score(train, test, device) == 0
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert not list(tmp_path.glob(".*part"))


def test_named_pipe_is_written_to_directly(files):
    tmp_path, train, test = files
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo).read()), daemon=True)
    reader.start()
    assert score(train, test, fifo) == 0
    reader.join(10)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received and received[0].splitlines()[0] == "a,b,score,label" and len(received[0].splitlines()) == 6


def test_socket_output_is_refused_before_fitting(files, capsys):
    tmp_path, train, test = files
    path = tmp_path / "s.csv"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(path))
        assert score(train, test, path) == 2
        assert "is a socket, not a regular file" in error_line(capsys)
        assert stat.S_ISSOCK(path.lstat().st_mode)
    finally:
        sock.close()


# ---------------------------------------------------------------------- what the output keeps


@pytest.mark.parametrize(
    "train_ext, test_ext, out_ext",
    [
        ("csv", "csv", "parquet"),
        ("parquet", "parquet", "parquet"),
        ("parquet", "parquet", "csv"),
        ("csv", "parquet", "csv"),
    ],
)
def test_dropped_columns_are_kept_with_parquet(tmp_path, train_ext, test_ext, out_ext):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    rng = np.random.RandomState(0)
    train = pd.DataFrame(rng.normal(size=(40, 2)), columns=["a", "b"]).assign(id=[f"t{i}" for i in range(40)])
    test = pd.DataFrame(rng.normal(size=(4, 2)), columns=["a", "b"])
    test.insert(0, "id", ["r0", "r1", None, "r3"])
    test["group"] = [7, 8, 9, 10]
    paths = {}
    for name, frame, ext in (("train", train, train_ext), ("test", test, test_ext)):
        paths[name] = tmp_path / f"{name}.{ext}"
        frame.to_parquet(paths[name]) if ext == "parquet" else frame.to_csv(paths[name], index=False)
    out = tmp_path / f"out.{out_ext}"
    assert score(str(paths["train"]), str(paths["test"]), out, "--drop-columns", "id,group") == 0
    result = pd.read_parquet(out) if out_ext == "parquet" else pd.read_csv(out, keep_default_na=False)
    assert list(result.columns) == ["id", "a", "b", "group", "score", "label"]
    np.testing.assert_allclose(result[["a", "b"]].to_numpy(dtype=float), test[["a", "b"]].to_numpy())
    ids = [None if v == "" or pd.isna(v) else str(v) for v in result["id"]]
    assert ids == ["r0", "r1", None, "r3"]
    assert [int(float(v)) for v in result["group"]] == [7, 8, 9, 10]
    if out_ext == "parquet" and test_ext == "parquet":  # parquet to parquet keeps the column's type
        assert result["group"].dtype == test["group"].dtype


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_text_column_error_suggests_drop_columns(tmp_path, capsys, ext):
    pd = pytest.importorskip("pandas")
    if ext == "parquet":
        pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"a": np.arange(20.0), "sample id": [f"s{i}" for i in range(20)]})
    path = tmp_path / f"train.{ext}"
    frame.to_parquet(path) if ext == "parquet" else frame.to_csv(path, index=False)
    assert score(str(path), str(path), tmp_path / "out.csv") == 2
    line = error_line(capsys)
    assert "column 'sample id' of train file" in line and "is not numeric (value 's0'" in line
    assert line.endswith("leave it out with --drop-columns 'sample id'")
