"""Tests of the command line (``python -m algan_sklearn`` / ``algan-sklearn``).

Everything runs in-process through ``main(argv)`` except one subprocess check of
the ``python -m`` entry point. ALGAN runs with tiny networks and 20 iterations.
"""

import csv
import importlib.util
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from algan_sklearn.benchmark import RUN_COLUMNS, SUMMARY_COLUMNS
from algan_sklearn.cli import main

TINY_ALGAN = json.dumps(
    {
        "max_iter": 20,
        "discriminator_hidden": [8],
        "batch_size": 32,
        "buffer_size": 2,
    }
)
FAST = ["--algan-params", TINY_ALGAN, "--threads", "1"]
DEFAULT_NAMES = ["ALGAN", "kNN", "LOF", "IForest", "z-score", "GMM"]


def _write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def _read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def train_test_csv(tmp_path):
    rng = np.random.RandomState(0)
    train = rng.normal(size=(60, 3))
    test = np.vstack([rng.normal(size=(8, 3)), [[9.0, 9.0, 9.0], [-9.0, 0.0, 9.0]]])
    header = ["a", "b", "c"]
    return (
        _write_csv(tmp_path / "train.csv", header, train.round(6).tolist()),
        _write_csv(tmp_path / "test.csv", header, test.round(6).tolist()),
        test.round(6),
    )


def _table_rows(out):
    """Rows of the printed table, keyed by the first word."""
    return {line.split()[0]: line.split() for line in out.splitlines() if line and not line.startswith("#")}


def _assert_one_line_error(capsys, status):
    assert status == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("algan-sklearn: error: ")
    assert "Traceback" not in err
    return lines[0]


# --------------------------------------------------------------------------- benchmark


def test_benchmark_default_prints_a_row_per_detector(capsys):
    assert main(["benchmark", *FAST]) == 0
    out = capsys.readouterr().out
    table = _table_rows(out)
    assert table["detector"] == ["detector", "seed", "AUROC", "AP", "fit", "s", "score", "ms/1k"]
    for name in DEFAULT_NAMES:
        seed, auroc, ap, fit_s, score_ms = table[name][1:]
        assert seed == "0"
        assert 0.0 <= float(auroc) <= 1.0 and 0.0 <= float(ap) <= 1.0
        assert float(fit_s) >= 0 and float(score_ms) >= 0
    # the baselines separate malignant from benign rows
    assert float(table["kNN"][2]) > 0.85


def test_benchmark_seeds_detectors_output(tmp_path, capsys):
    out_csv = tmp_path / "results.csv"
    status = main(["benchmark", "--seeds", "0,1", "--detectors", "knn,zscore", "--output", str(out_csv)])
    assert status == 0
    out = capsys.readouterr().out
    assert "Mean over 2 seeds" in out
    rows = _read_csv(out_csv)
    assert list(rows[0]) == list(RUN_COLUMNS)
    expected = [("kNN", "0"), ("z-score", "0"), ("kNN", "1"), ("z-score", "1")]
    assert [(r["detector"], r["seed"]) for r in rows] == expected
    assert all(r["error"] == "" and 0.5 < float(r["auroc"]) <= 1.0 for r in rows)
    assert {r["n_train"] for r in rows} == {"214"}  # 60% of 357 benign rows


def test_benchmark_data_dir(tmp_path, capsys):
    rng = np.random.RandomState(0)
    data = tmp_path / "data"
    data.mkdir()
    for name, d in (("2_small", 3), ("10_other", 5)):
        X = np.vstack([rng.normal(size=(80, d)), rng.normal(loc=4.0, size=(10, d))])
        y = np.r_[np.zeros(80, dtype=int), np.ones(10, dtype=int)]
        np.savez(data / f"{name}.npz", X=X, y=y)
    out_csv, summary_csv = tmp_path / "runs.csv", tmp_path / "summary.csv"
    argv = ["benchmark", "--data-dir", str(data), "--seeds", "0,1", "--detectors", "ALGAN,kNN,z-score"]
    argv += ["--output", str(out_csv), "--summary-output", str(summary_csv), "--progress", *FAST]
    has_mpl = importlib.util.find_spec("matplotlib") is not None
    if has_mpl:
        argv += ["--plot", str(tmp_path / "auroc.png")]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "AUROC per data set" in captured.out and "Summary:" in captured.out
    assert len([line for line in captured.err.splitlines() if line.startswith("[")]) == 12

    rows = _read_csv(out_csv)
    assert list(rows[0]) == list(RUN_COLUMNS)
    assert len(rows) == 2 * 2 * 3
    assert [r["dataset"] for r in rows[::6]] == ["2_small", "10_other"]  # natural order
    summary = _read_csv(summary_csv)
    assert list(summary[0]) == list(SUMMARY_COLUMNS)
    assert [s["detector"] for s in summary] == ["ALGAN", "kNN", "z-score"]
    for s in summary:
        assert s["n_sets"] == "2" and s["n_failed"] == "0"
        assert 0.0 <= float(s["mean_auroc"]) <= 1.0
        assert 1.0 <= float(s["mean_rank"]) <= 3.0
    assert float(summary[1]["mean_auroc"]) > 0.9
    if has_mpl:
        assert (tmp_path / "auroc.png").stat().st_size > 0


def test_benchmark_on_shared_adbench_set(tmp_path, capsys, shared_adbench):
    glass = shared_adbench("classical", "14_glass.npz")
    data = tmp_path / "data"
    data.mkdir()
    (data / "14_glass.npz").symlink_to(glass)
    out_csv = tmp_path / "glass.csv"
    argv = ["benchmark", "--data-dir", str(data), "--seed", "0", "--detectors", "kNN,z-score"]
    assert main([*argv, "--output", str(out_csv)]) == 0
    rows = {r["detector"]: r for r in _read_csv(out_csv)}
    assert set(rows) == {"kNN", "z-score"}
    assert rows["kNN"]["n_train"] == str(int(0.6 * 205)) and rows["kNN"]["n_test_anomalies"] == "9"
    assert float(rows["kNN"]["auroc"]) > 0.6
    assert "14_glass" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, match",
    [
        (["--detectors", "kNN,nope"], "Unknown detector 'nope'"),
        (["--data-dir", "/no/such/folder"], "No such data folder"),
        (["--algan-params", "{sigma: 8}"], "not valid JSON"),
        (["--algan-params", '{"sigmaa": 8}'], "Invalid parameter 'sigmaa'"),
        (["--detectors", "kNN", "--algan-params", '{"sigma": 8}'], "not among the detectors"),
        (["--seeds", "0,x"], "comma-separated integers"),
    ],
)
def test_benchmark_bad_arguments_exit_2(argv, match, capsys):
    line = _assert_one_line_error(capsys, main(["benchmark", *argv]))
    assert match in line


def test_benchmark_empty_data_dir_exit_2(tmp_path, capsys):
    line = _assert_one_line_error(capsys, main(["benchmark", "--data-dir", str(tmp_path)]))
    assert "No files matching" in line


@pytest.mark.parametrize("second", ["--summary-output", "--plot", "link"])
def test_benchmark_outputs_that_name_one_file_are_refused(second, tmp_path, capsys):
    # like score: one file cannot hold two outputs (the summary would overwrite the per-run rows)
    out = tmp_path / "r.csv"
    other = str(out)
    if second == "link":
        (tmp_path / "link.csv").symlink_to(out)
        second, other = "--summary-output", str(tmp_path / "link.csv")
    status = main(["benchmark", "--detectors", "z-score,kNN", "--output", str(out), second, other])
    line = _assert_one_line_error(capsys, status)
    assert f"--output and {second} name the same file" in line
    assert not out.exists()


# --------------------------------------------------------------------------- score


def test_score_round_trip(train_test_csv, tmp_path, capsys):
    train, test, X_test = train_test_csv
    out = tmp_path / "scores.csv"
    assert main(["score", "--train", train, "--test", test, "--output", str(out), *FAST]) == 0
    assert "scored 10 rows" in capsys.readouterr().out
    rows = _read_csv(out)
    assert list(rows[0]) == ["a", "b", "c", "score", "label"]
    assert len(rows) == X_test.shape[0]
    np.testing.assert_allclose([[float(r[c]) for c in "abc"] for r in rows], X_test)
    assert all(math.isfinite(float(r["score"])) for r in rows)
    assert {int(r["label"]) for r in rows} <= {-1, 1}


def test_score_knn_contamination_and_column_order(tmp_path, capsys):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(50, 2)).round(5)
    train = _write_csv(tmp_path / "train.csv", ["x", "y"], X.tolist())
    # same columns in another order: matched by name, kept in the test's order in the output
    test = _write_csv(tmp_path / "test.csv", ["y", "x"], np.vstack([X[:, ::-1], [[0.0, 20.0]]]).tolist())
    out = tmp_path / "scores.csv"
    argv = ["score", "--train", train, "--test", test, "--output", str(out), "--detector", "kNN"]
    assert main([*argv, "--contamination", "0.1"]) == 0
    rows = _read_csv(out)
    assert list(rows[0]) == ["y", "x", "score", "label"]
    labels = np.array([int(r["label"]) for r in rows])
    scores = np.array([float(r["score"]) for r in rows])
    assert labels[-1] == -1 and scores[-1] == scores.min()
    assert 0.05 <= np.mean(labels[:-1] == -1) <= 0.15


def test_score_parquet(train_test_csv, tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    train, test, X_test = train_test_csv
    pd.read_csv(train).to_parquet(tmp_path / "train.parquet")
    pd.read_csv(test).to_parquet(tmp_path / "test.parquet")
    out = tmp_path / "scores.parquet"
    argv = ["score", "--train", str(tmp_path / "train.parquet"), "--test", str(tmp_path / "test.parquet")]
    assert main([*argv, "--output", str(out), "--detector", "z-score"]) == 0
    result = pd.read_parquet(out)
    assert list(result.columns) == ["a", "b", "c", "score", "label"]
    np.testing.assert_allclose(result[["a", "b", "c"]].to_numpy(), X_test)
    assert result["label"].iloc[-1] == -1


@pytest.mark.slow
def test_score_does_not_need_pandas(train_test_csv, tmp_path, capsys):
    # CSV in and out with the standard library only: works in a process where pandas cannot be imported.
    train, test, X_test = train_test_csv
    out = tmp_path / "scores.csv"
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] == 'pandas': raise ImportError('no pandas here')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from algan_sklearn.cli import main\n"
        f"status = main(['score', '--train', {train!r}, '--test', {test!r}, '--output', {str(out)!r}, "
        "'--detector', 'kNN']); print(status)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert proc.stdout.strip().splitlines()[-1] == "0", proc.stderr
    rows = _read_csv(out)
    assert list(rows[0]) == ["a", "b", "c", "score", "label"] and len(rows) == X_test.shape[0]
    bad = _write_csv(tmp_path / "bad.csv", ["a", "b", "c"], [[1, 2, 3], [1, "x", 3]])
    line = _assert_one_line_error(capsys, main(["score", "--train", train, "--test", bad, "--output", str(out)]))
    assert "column 'b'" in line and "line 3" in line


@pytest.mark.parametrize(
    "case, match",
    [
        ("missing", "does not exist"),
        ("text_column", "column 'b' of test file"),
        ("mismatch", "train and test columns differ (missing in test: 'c'; not in train: 'd')"),
        ("empty", "is empty"),
        ("header_only", "no data rows"),
        ("missing_value", "missing value"),
        ("score_column", "already has a column named 'score'"),
    ],
)
def test_score_bad_input_exit_2(case, match, train_test_csv, tmp_path, capsys):
    train, _, _ = train_test_csv
    test = tmp_path / "bad.csv"
    if case == "text_column":
        _write_csv(test, ["a", "b", "c"], [[1, 2, 3], [1, "high", 3]])
    elif case == "mismatch":
        _write_csv(test, ["a", "b", "d"], [[1, 2, 3]])
    elif case == "empty":
        test.write_text("")
    elif case == "header_only":
        test.write_text("a,b,c\n")
    elif case == "missing_value":
        _write_csv(test, ["a", "b", "c"], [[1, "", 3]])
    elif case == "score_column":
        train = _write_csv(tmp_path / "train4.csv", ["a", "b", "c", "score"], [[1, 2, 3, 4], [2, 3, 4, 5]])
        _write_csv(test, ["a", "b", "c", "score"], [[1, 2, 3, 4]])
    argv = ["score", "--train", train, "--test", str(test), "--output", str(tmp_path / "o.csv"), "--detector", "kNN"]
    line = _assert_one_line_error(capsys, main(argv))
    assert match in line
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    "extra, match",
    [
        (["--contamination", "0.7"], "--contamination must be in (0, 0.5]"),
        (["--detector", "SO_GAAL"], "score supports"),
        (["--algan-params", "[1, 2]"], "must be a JSON object"),
    ],
)
def test_score_bad_options_exit_2(extra, match, train_test_csv, tmp_path, capsys):
    train, test, _ = train_test_csv
    line = _assert_one_line_error(
        capsys, main(["score", "--train", train, "--test", test, "--output", str(tmp_path / "o.csv"), *extra])
    )
    assert match in line


@pytest.mark.slow
def test_python_m_entry_point(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "algan_sklearn",
            "score",
            "--train",
            str(tmp_path / "nope.csv"),
            "--test",
            "x.csv",
            "--output",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"algan-sklearn: error: train file '{tmp_path / 'nope.csv'}' does not exist"


def test_threads_are_restored(capsys):
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    assert main(["benchmark", "--detectors", "z-score", "--threads", "3"]) == 0
    assert "with 3 threads" in capsys.readouterr().out
    assert torch.get_num_threads() == before


def test_score_reads_excel_bom_and_refuses_to_overwrite_an_input(tmp_path):
    rng = np.random.RandomState(0)
    train = tmp_path / "train.csv"
    test = tmp_path / "test.csv"
    for path, n in ((train, 60), (test, 5)):
        rows = rng.normal(size=(n, 2))
        path.write_text("\ufeffa,b\n" + "\n".join(f"{x},{y}" for x, y in rows) + "\n", encoding="utf-8")
    out = tmp_path / "scores.csv"
    args = ["score", "--train", str(train), "--test", str(test), "--detector", "kNN"]
    assert main([*args, "--output", str(out)]) in (0, None)
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("a,b,score,label")
    before = test.read_bytes()
    assert main([*args, "--output", str(test)]) == 2
    assert test.read_bytes() == before
