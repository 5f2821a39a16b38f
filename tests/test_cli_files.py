"""The command line on awkward but valid files, on labelled test files, and on long files.

What the Python API accepts, the CLI accepts; anything else is one line naming the
column and the value. The test file is streamed: memory does not grow with its length.
"""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from algan_sklearn.cli import main


def write(path, text):
    path.write_text(text)
    return str(path)


def rows_text(header, X):
    return header + "\n" + "\n".join(",".join(repr(float(v)) for v in row) for row in X) + "\n"


@pytest.fixture
def data(tmp_path):
    rng = np.random.RandomState(0)
    return tmp_path, rng.normal(size=(80, 3)), np.vstack([rng.normal(size=(6, 3)), [[8.0, 8.0, 8.0]]])


def score(tmp_path, train, test, *extra, detector="z-score"):
    out = tmp_path / "out.csv"
    status = main(["score", "--train", train, "--test", test, "--output", str(out), "--detector", detector, *extra])
    return status, out


def one_line_error(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("algan-sklearn: error: "), err
    return err[0]


@pytest.mark.parametrize("detector", ["z-score", "kNN", "GMM", "ALGAN"])
def test_huge_column_is_accepted_without_warnings(data, detector):
    tmp_path, X, T = data
    X[:, 2] = np.where(np.arange(80) % 2, 1e308, -1e308)
    T[:, 2] = 1e308
    train = write(tmp_path / "train.csv", rows_text("a,b,c", X))
    test = write(tmp_path / "test.csv", rows_text("a,b,c", T))
    extra = ["--algan-params", '{"max_iter": 20}'] if detector == "ALGAN" else []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        status, out = score(tmp_path, train, test, *extra, detector=detector)
    assert status == 0
    scores = np.loadtxt(out, delimiter=",", skiprows=1)[:, 3]
    assert np.isfinite(scores).all() and scores[-1] < scores[:-1].min()


def test_big_integers_and_python_number_syntax(data):
    tmp_path, X, _ = data
    train = write(tmp_path / "train.csv", rows_text("a,b,c", X))
    test = write(tmp_path / "test.csv", "a,b,c\n100000000000000000000,1_000, 2.5 \n1,2,3\n")
    status, out = score(tmp_path, train, test)
    assert status == 0
    lines = out.read_text().splitlines()
    assert lines[1].startswith("100000000000000000000,1_000,2.5,")  # cells written as read


@pytest.mark.parametrize(
    "test_text, message",
    [
        ("a,b,c\n1,2,3\n1,high,3\n", "column 'b' of test file '{test}' is not numeric (value 'high' on line 3)"),
        ("a,b,c\n1,NA,3\n", "column 'b' of test file '{test}' has a missing value ('NA') on line 2"),
        ("a,b,c\n1,,3\n", "column 'b' of test file '{test}' has a missing value on line 2"),
        ("a,b,c\n1,2,inf\n", "column 'c' of test file '{test}' has a non-finite value ('inf') on line 2"),
        ("a,b,c\n1,2\n", "test file '{test}': line 2 has 2 fields, the header has 3"),
        ("a,a,c\n1,2,3\n", "test file '{test}' has two columns named 'a' (columns 1 and 2)"),
        ("a,,c\n1,2,3\n", "column 2 of test file '{test}' has no name"),
        ("a,b,d\n1,2,3\n", "train and test columns differ (missing in test: 'c'; not in train: 'd')"),
    ],
)
def test_bad_files_get_one_line_naming_column_and_value(data, capsys, test_text, message):
    tmp_path, X, _ = data
    train = write(tmp_path / "train.csv", rows_text("a,b,c", X))
    test = write(tmp_path / "test.csv", test_text)
    status, out = score(tmp_path, train, test)
    assert status == 2
    assert message.format(test=test) in one_line_error(capsys)
    assert not out.exists() and not list(tmp_path.glob(".out.csv*"))  # no partial output


def test_header_spaces_are_not_part_of_names(data):
    tmp_path, X, T = data
    train = write(tmp_path / "train.csv", rows_text("a, b, c", X))
    test = write(tmp_path / "test.csv", rows_text(" a,b ,c", T))
    status, out = score(tmp_path, train, test)
    assert status == 0
    assert out.read_text().splitlines()[0] == "a,b,c,score,label"


def test_drop_columns_and_label_column(data, capsys):
    tmp_path, X, T = data
    ids = np.arange(len(T))
    y = np.r_[np.zeros(len(T) - 1), 1]
    train = write(tmp_path / "train.csv", rows_text("id,a,b,c", np.c_[np.arange(80), X]))
    test = write(tmp_path / "test.csv", rows_text("id,a,b,c,y", np.c_[ids, T, y]))
    status, out = score(tmp_path, train, test, "--drop-columns", "id", "--label-column", "y")
    assert status == 0
    assert "AUROC 1.0000" in capsys.readouterr().out
    lines = out.read_text().splitlines()
    assert lines[0] == "id,a,b,c,y,score,label"
    scores = np.loadtxt(out, delimiter=",", skiprows=1)[:, 5]
    # the dropped id column does not change the scores
    status, plain = score(
        tmp_path, write(tmp_path / "tr.csv", rows_text("a,b,c", X)), write(tmp_path / "te.csv", rows_text("a,b,c", T))
    )
    np.testing.assert_array_equal(scores, np.loadtxt(plain, delimiter=",", skiprows=1)[:, 3])


@pytest.mark.parametrize(
    "extra, test_header, message",
    [
        (["--label-column", "y"], "a,b,c,y", "--label-column 'y' must hold 0 (normal) or 1 (anomaly), found 2.0"),
        (["--label-column", "z"], "a,b,c,y", "--label-column: test file"),
        (["--drop-columns", "nope"], "a,b,c,y", "--drop-columns: no column 'nope' in train or test"),
        (
            ["--label-column", "y", "--drop-columns", "y"],
            "a,b,c,y",
            "--label-column 'y' is also in --drop-columns; name it in one of them",
        ),
    ],
)
def test_bad_label_or_drop_options(data, capsys, extra, test_header, message):
    tmp_path, X, T = data
    train = write(tmp_path / "train.csv", rows_text("a,b,c", X))
    test = write(tmp_path / "test.csv", rows_text(test_header, np.c_[T, np.full(len(T), 2.0)]))
    status, _ = score(tmp_path, train, test, *extra)
    assert status == 2
    assert message in one_line_error(capsys)


def test_help_imports_neither_torch_nor_the_estimators():
    code = (
        "import sys\nfrom algan_sklearn.cli import main\ntry:\n    main(['score', '--help'])\n"
        "except SystemExit:\n    pass\nprint(sorted(m for m in ('torch', 'sklearn', 'pandas') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


PEAK_CODE = """
import resource, sys
from algan_sklearn.cli import main
argv = ['score', '--train', sys.argv[1], '--test', sys.argv[2], '--output', sys.argv[3], '--detector', 'z-score']
status = main(argv)
print(status, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_scoring_memory_does_not_grow_with_the_test_file(tmp_path):
    rng = np.random.RandomState(0)
    train = write(tmp_path / "train.csv", rows_text("a,b,c,d,e", rng.normal(size=(100, 5))))
    peaks = []
    for n_rows in (10_000, 160_000):
        test = tmp_path / f"test{n_rows}.csv"
        np.savetxt(test, rng.normal(size=(n_rows, 5)), delimiter=",", header="a,b,c,d,e", comments="", fmt="%.17g")
        out = tmp_path / f"out{n_rows}.csv"
        proc = subprocess.run(  # chunks of 8 MiB (13,107 rows of 5 columns): 10,000 rows are one chunk
            [sys.executable, "-c", PEAK_CODE, train, str(test), str(out)],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "SKLEARN_WORKING_MEMORY": "8"},
        )
        status, peak_kib = proc.stdout.splitlines()[-1].split()
        assert status == "0", proc.stderr
        assert sum(1 for _ in open(out)) == n_rows + 1
        peaks.append(int(peak_kib) / 1024)
    # 150,000 more rows (about 13 MB more file) would add about 100 MB if the file were held whole.
    assert peaks[1] - peaks[0] < 15, peaks


@pytest.mark.parametrize("detector", ["ALGAN", "kNN", "z-score"])
def test_rounding_level_constant_column_through_the_cli(tmp_path, detector):
    # The CLI standardises before the detector; the constant-column rule must survive that.
    rng = np.random.RandomState(0)
    X = np.c_[rng.normal(size=(100, 2)), np.where(rng.rand(100) < 0.5, 0.3, 0.1 + 0.2)]
    T = np.c_[rng.normal(size=(6, 2)), np.full(6, 0.1 + 0.2)]
    T[-1, 2] = 0.4
    train = write(tmp_path / "train.csv", rows_text("a,b,c", X))
    test = write(tmp_path / "test.csv", rows_text("a,b,c", T))
    extra = ["--algan-params", '{"max_iter": 50}'] if detector == "ALGAN" else []
    status, out = score(tmp_path, train, test, *extra, detector=detector)
    assert status == 0
    with_column = np.loadtxt(out, delimiter=",", skiprows=1)
    assert with_column[-1, 4] == -1
    status, out = score(tmp_path, train, test, "--drop-columns", "c", *extra, detector=detector)
    without = np.loadtxt(out, delimiter=",", skiprows=1)
    np.testing.assert_allclose(with_column[:-1, 3], without[:-1, 3], rtol=1e-12)


def test_header_of_numbers_gets_a_hint(data, capsys):
    tmp_path, X, _ = data
    train = write(tmp_path / "train.csv", rows_text("a,b,c", X))
    test = write(tmp_path / "test.csv", "1.5,2,3\n1,2,3\n")
    status, _ = score(tmp_path, train, test)
    err = capsys.readouterr().err
    assert status == 2
    assert "the first line of test file" in err and "is read as the header row" in err
    assert "train and test columns differ" in err
    years = write(tmp_path / "years.csv", rows_text("2019,2020,2021", X))  # numbers can be names
    status, out = score(tmp_path, years, years, detector="kNN")
    assert status == 0 and out.read_text().startswith("2019,2020,2021,score,label")


def test_dropped_columns_may_hold_text(data):
    tmp_path, X, T = data
    ids = [f"row{i}" for i in range(len(T))]
    train = write(tmp_path / "train.csv", rows_text("a,b,c", X))
    text = "id,a,b,c\n" + "".join(f"{i},{','.join(repr(float(v)) for v in row)}\n" for i, row in zip(ids, T))
    test = write(tmp_path / "test.csv", text.replace("row3,", ",", 1))  # an empty id too
    status, out = score(tmp_path, train, test, "--drop-columns", "id")
    assert status == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "id,a,b,c,score,label" and lines[1].startswith("row0,") and lines[4].startswith(",")


@pytest.mark.parametrize("output", ["", ".", "folder"])
def test_output_must_be_a_file_name(data, capsys, output):
    tmp_path, X, T = data
    (tmp_path / "folder").mkdir()
    train = write(tmp_path / "train.csv", rows_text("a,b,c", X))
    test = write(tmp_path / "test.csv", rows_text("a,b,c", T))
    target = str(tmp_path / output) if output == "folder" else output
    status = main(["score", "--train", train, "--test", test, "--output", target, "--detector", "z-score"])
    assert status == 2
    assert "--output" in one_line_error(capsys)


def test_non_utf8_bytes_name_the_line(data, capsys):
    tmp_path, X, _ = data
    train = write(tmp_path / "train.csv", rows_text("a,b,c", X))
    test = tmp_path / "test.csv"
    test.write_bytes(b"a,b,c\n" + b"1,2,3\n" * 3000 + b"1,\xe9,3\n")
    status, _ = score(tmp_path, train, str(test))
    assert status == 2
    line = one_line_error(capsys)
    assert "is not UTF-8 text" in line and "after line" in line


def test_parquet_bool_and_integer_column_names(tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"1": rng.normal(size=60), "2": rng.normal(size=60), "flag": rng.rand(60) < 0.5})
    frame.to_parquet(tmp_path / "train.parquet")
    frame.iloc[:5].to_parquet(tmp_path / "test.parquet")
    out = tmp_path / "out.csv"
    status = main(
        [
            "score",
            "--train",
            str(tmp_path / "train.parquet"),
            "--test",
            str(tmp_path / "test.parquet"),
            "--output",
            str(out),
            "--detector",
            "kNN",
        ]
    )
    assert status == 0, capsys.readouterr().err
    assert "note" not in capsys.readouterr().err
    assert out.read_text().splitlines()[0] == "1,2,flag,score,label"
