"""Command line: ``python -m algan_sklearn`` or ``algan-sklearn``.

Subcommands
-----------
benchmark
    Compare ALGAN with the baselines under the benchmark's novelty protocol, on
    scikit-learn's breast cancer data (default) or on every ADBench-style
    ``.npz`` file of a folder (``--data-dir``).
score
    Fit a detector on a file of normal rows and write the score and label of
    every row of another file.

Run ``algan-sklearn SUBCOMMAND --help`` for the options. Input errors print one
line, ``algan-sklearn: error: ...``, and exit with status 2.
"""

import argparse
import csv
import importlib.util
import json
import math
import os
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np

PROG = "algan-sklearn"


class CLIError(Exception):
    """An input error reported as one line on stderr, with exit status 2."""


def _one_line(text):
    return " ".join(str(text).split())


# --------------------------------------------------------------------------- argument helpers


def _parse_seeds(text):
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise CLIError(f"--seeds must be comma-separated integers, got {text!r}") from None
    if not seeds:
        raise CLIError("--seeds is empty")
    return seeds


def _parse_json_object(text, option):
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CLIError(f"{option} is not valid JSON ({exc.msg} at character {exc.pos}): {text!r}") from None
    if not isinstance(value, dict):
        raise CLIError(f"{option} must be a JSON object such as '{{\"sigma\": 8}}', got {text!r}")
    return value


def _detector_params(args):
    """Merge ``--detector-params`` and ``--algan-params`` into {name: params}."""
    from .benchmark import _canonical_name

    params = {}
    if getattr(args, "detector_params", None):
        raw = _parse_json_object(args.detector_params, "--detector-params")
        for name, p in raw.items():
            if not isinstance(p, dict):
                raise CLIError(f"--detector-params: the value for {name!r} must be a JSON object")
            try:
                params.setdefault(_canonical_name(name), {}).update(p)
            except ValueError as exc:
                raise CLIError(f"--detector-params: {exc}") from None
    if getattr(args, "algan_params", None):
        params.setdefault("ALGAN", {}).update(_parse_json_object(args.algan_params, "--algan-params"))
    return params


@contextmanager
def _thread_limit(n):
    """Limit torch's and the native libraries' thread pools to ``n`` for the command, then restore."""
    if n is None or n == 0:
        yield
        return
    if n < 0:
        raise CLIError(f"--threads must be a positive integer or 0, got {n}")
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
            yield
        else:
            with threadpool_limits(limits=n):
                yield
    finally:
        torch.set_num_threads(old)


def _check_writable(path, option):
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise CLIError(f"{option}: folder '{parent}' does not exist")


# --------------------------------------------------------------------------- tables


def _fmt(value, spec):
    if value is None or value == "":
        return ""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if spec:
        return format(value, spec)
    return str(value)


def format_table(rows, columns):
    """Aligned text table.

    Parameters
    ----------
    rows : list of dict
    columns : list of (key, header, format_spec)
        Strings are left-aligned and numbers right-aligned.

    Returns
    -------
    str
    """
    cells = [[header for _, header, _ in columns]]
    for row in rows:
        cells.append([_fmt(row.get(key), spec) for key, _, spec in columns])
    left = [all(isinstance(row.get(key), str) for row in rows) if rows else True for key, _, _ in columns]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = []
    for line in cells:
        parts = [c.ljust(w) if lft else c.rjust(w) for c, w, lft in zip(line, widths, left)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


RUN_TABLE = [
    ("detector", "detector", ""),
    ("seed", "seed", "d"),
    ("auroc", "AUROC", ".4f"),
    ("ap", "AP", ".4f"),
    ("fit_s", "fit s", ".2f"),
    ("score_ms_per_1k", "score ms/1k", ".2f"),
    ("error", "error", ""),
]

MEAN_TABLE = [
    ("detector", "detector", ""),
    ("n_seeds", "seeds", "d"),
    ("auroc", "AUROC", ".4f"),
    ("auroc_std", "std", ".4f"),
    ("ap", "AP", ".4f"),
    ("fit_s", "fit s", ".2f"),
    ("score_ms_per_1k", "score ms/1k", ".2f"),
]

SUMMARY_TABLE = [
    ("detector", "detector", ""),
    ("n_sets", "sets", "d"),
    ("mean_auroc", "mean AUROC", ".4f"),
    ("mean_ap", "mean AP", ".4f"),
    ("mean_rank", "mean rank", ".2f"),
    ("n_inverted", "inverted", ""),
    ("median_fit_s", "median fit s", ".2f"),
    ("median_score_ms_per_1k", "median score ms/1k", ".2f"),
    ("n_failed", "failed", "d"),
]


def _drop_empty_error(columns, rows):
    if any(r.get("error") for r in rows):
        return columns
    return [c for c in columns if c[0] != "error"]


# --------------------------------------------------------------------------- benchmark


def _cmd_benchmark(args):
    from . import benchmark as bm
    from .datasets import list_adbench_dir, load_breast_cancer_sklearn

    if args.seed is not None:
        seeds = [args.seed]
    elif args.seeds is not None:
        seeds = _parse_seeds(args.seeds)
    else:
        seeds = [0, 1, 2] if args.data_dir else [0]
    try:
        detectors = bm.resolve_detector_names(args.detectors) if args.detectors else list(bm.DEFAULT_DETECTORS)
    except (ValueError, ImportError) as exc:
        raise CLIError(f"--detectors: {exc}") from None
    params = _detector_params(args)
    unused = sorted(set(params) - set(detectors))
    if unused:
        raise CLIError(f"parameters given for {', '.join(unused)}, which is not among the detectors run")
    for name in detectors:  # parameter names are checked before anything runs
        try:
            bm.make_detector(name, random_state=seeds[0], params=params.get(name))
        except (ValueError, TypeError) as exc:
            raise CLIError(f"{name} parameters: {_one_line(exc)}") from None
    for path, option in ((args.output, "--output"), (args.summary_output, "--summary-output"), (args.plot, "--plot")):
        if path:
            _check_writable(path, option)
    if args.plot:
        if importlib.util.find_spec("matplotlib") is None:
            raise CLIError("--plot needs matplotlib, which is not installed: pip install 'algan-sklearn[plot]'")
        missing = [d for d in ("kNN", "ALGAN") if d not in detectors]
        if missing:
            raise CLIError(f"--plot draws ALGAN against kNN; add {' and '.join(missing)} to --detectors")

    if args.data_dir:
        try:
            files = list_adbench_dir(args.data_dir)
        except (FileNotFoundError, ValueError) as exc:
            raise CLIError(f"--data-dir: {exc}") from None
        datasets = args.data_dir
        header = f"# {len(files)} data sets from {args.data_dir}"
    else:
        datasets = {"breast_cancer_sklearn": load_breast_cancer_sklearn()}
        header = "# breast cancer Wisconsin (diagnostic) from scikit-learn: benign = normal, malignant = anomaly"
    info = bm.machine_info()
    print(header)
    print(
        f"# seeds {','.join(map(str, seeds))}; machine: {info['cpu_count']} CPUs, torch {info['torch']} with "
        f"{info['torch_threads']} threads, scikit-learn {info['sklearn']}"
    )
    if params:
        print(f"# detector parameters: {json.dumps(params, sort_keys=True)}")
    sys.stdout.flush()

    with ExitStack() as stack:
        writer = None
        if args.output:
            out_file = stack.enter_context(open(args.output, "w", newline="", encoding="utf-8"))
            writer = csv.DictWriter(out_file, fieldnames=list(bm.RUN_COLUMNS))
            writer.writeheader()

        def on_row(row):
            if writer is not None:
                writer.writerow(row)
                out_file.flush()
            if row["error"]:
                print(
                    f"{PROG}: warning: {row['detector']} failed on {row['dataset']} (seed {row['seed']}): "
                    f"{row['error']}",
                    file=sys.stderr,
                    flush=True,
                )

        try:
            rows = bm.run_benchmark(
                datasets,
                detectors,
                seeds=seeds,
                detector_params=params,
                errors="record",
                callback=on_row,
                progress=args.progress,
            )
        except (FileNotFoundError, ValueError) as exc:  # a malformed data file
            raise CLIError(_one_line(exc)) from None

    summary = bm.summarize(rows)
    if args.data_dir:
        table = bm.per_dataset(rows)
        by = {(r["dataset"], r["detector"]): r["auroc"] for r in table}
        wide = []
        for ds in dict.fromkeys(r["dataset"] for r in table):
            line = {"dataset": ds}
            line.update({d: by.get((ds, d), math.nan) for d in detectors})
            wide.append(line)
        print(f"\nAUROC per data set (mean over {len(seeds)} seed{'s' if len(seeds) > 1 else ''}):")
        print(format_table(wide, [("dataset", "dataset", "")] + [(d, d, ".4f") for d in detectors]))
        print("\nSummary:")
        print(format_table(summary, SUMMARY_TABLE))
    else:
        print(format_table(rows, _drop_empty_error(RUN_TABLE, rows)))
        if len(seeds) > 1:
            print(f"\nMean over {len(seeds)} seeds:")
            print(format_table(bm.per_dataset(rows), MEAN_TABLE))

    if args.output:
        print(f"\n# per-run results written to {args.output}")
    if args.summary_output:
        bm.write_csv(summary, args.summary_output, columns=bm.SUMMARY_COLUMNS)
        print(f"# summary written to {args.summary_output}")
    if args.plot:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(5.5, 5.5))
        ax = fig.add_subplot()
        bm.plot_auroc_scatter(rows, x="kNN", y="ALGAN", ax=ax, annotate=True)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=150)
        print(f"# plot written to {args.plot}")
    return 1 if any(r["error"] for r in rows) else 0


# --------------------------------------------------------------------------- score: table input and output


def _have(module):
    return importlib.util.find_spec(module) is not None


def _is_parquet(path):
    return str(path).lower().endswith(".parquet")


def _read_table(path, role):
    """Read a CSV or parquet file of numeric columns.

    Returns
    -------
    table : dict
        ``columns`` (list of str), ``X`` (float64 array), and ``frame`` (pandas
        DataFrame) or ``cells`` (list of lists of the original strings).
    """
    path = Path(path)
    if not path.exists():
        raise CLIError(f"{role} file '{path}' does not exist")
    if not path.is_file():
        raise CLIError(f"{role} path '{path}' is not a file")
    if path.stat().st_size == 0:
        raise CLIError(f"{role} file '{path}' is empty")
    if _is_parquet(path):
        if not (_have("pandas") and (_have("pyarrow") or _have("fastparquet"))):
            raise CLIError(f"reading parquet file '{path}' needs pandas and pyarrow: pip install pandas pyarrow")
        import pandas as pd

        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - any reader failure is an input error
            raise CLIError(f"cannot read {role} file '{path}' as parquet: {_one_line(exc)}") from None
        return _check_frame(frame, path, role, first_line=None)
    if _have("pandas"):
        import pandas as pd

        try:
            frame = pd.read_csv(path)
        except pd.errors.EmptyDataError:
            raise CLIError(f"{role} file '{path}' is empty") from None
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            raise CLIError(f"cannot parse {role} file '{path}' as CSV: {_one_line(exc)}") from None
        return _check_frame(frame, path, role, first_line=2)
    return _read_csv_plain(path, role)


def _check_frame(frame, path, role, first_line):
    import pandas as pd

    columns = [str(c) for c in frame.columns]
    if not columns:
        raise CLIError(f"{role} file '{path}' has no columns")
    if frame.shape[0] == 0:
        raise CLIError(f"{role} file '{path}' has a header but no data rows")
    if len(set(columns)) != len(columns):
        raise CLIError(f"{role} file '{path}' has duplicate column names")

    def where(i):
        return f"line {i + first_line}" if first_line else f"row {i + 1}"

    for col, name in zip(frame.columns, columns):
        series = frame[col]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            numeric = pd.to_numeric(series, errors="coerce")
            bad = np.flatnonzero((numeric.isna() & series.notna()).to_numpy())
            example = f" (value {str(series.iloc[bad[0]])!r} on {where(int(bad[0]))})" if len(bad) else ""
            raise CLIError(f"column '{name}' of {role} file '{path}' is not numeric{example}")
        if series.isna().any():
            i = int(np.flatnonzero(series.isna().to_numpy())[0])
            raise CLIError(f"column '{name}' of {role} file '{path}' has a missing value on {where(i)}")
    X = frame.to_numpy(dtype=np.float64)
    if not np.isfinite(X).all():
        i, j = map(int, np.argwhere(~np.isfinite(X))[0])
        raise CLIError(f"column '{columns[j]}' of {role} file '{path}' has an infinite value on {where(i)}")
    frame.columns = columns
    return {"columns": columns, "X": X, "frame": frame}


def _read_csv_plain(path, role):
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:  # -sig: Excel's byte-order mark
            lines = [row for row in csv.reader(f) if row and any(cell.strip() for cell in row)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CLIError(f"cannot parse {role} file '{path}' as CSV: {_one_line(exc)}") from None
    if not lines:
        raise CLIError(f"{role} file '{path}' is empty")
    columns = [c.strip() for c in lines[0]]
    body = lines[1:]
    if not body:
        raise CLIError(f"{role} file '{path}' has a header but no data rows")
    if len(set(columns)) != len(columns):
        raise CLIError(f"{role} file '{path}' has duplicate column names")
    X = np.empty((len(body), len(columns)), dtype=np.float64)
    for i, row in enumerate(body):
        if len(row) != len(columns):
            raise CLIError(f"{role} file '{path}': line {i + 2} has {len(row)} fields, the header has {len(columns)}")
        for j, cell in enumerate(row):
            cell = cell.strip()
            if cell == "":
                raise CLIError(f"column '{columns[j]}' of {role} file '{path}' has a missing value on line {i + 2}")
            try:
                X[i, j] = float(cell)
            except ValueError:
                raise CLIError(
                    f"column '{columns[j]}' of {role} file '{path}' is not numeric (value {cell!r} on line {i + 2})"
                ) from None
            if not math.isfinite(X[i, j]):
                raise CLIError(f"column '{columns[j]}' of {role} file '{path}' has a non-finite value on line {i + 2}")
    return {"columns": columns, "X": X, "cells": body}


def _write_scores(table, scores, labels, path):
    path = Path(path)
    if _is_parquet(path) or "frame" in table:
        if _is_parquet(path) and not (_have("pandas") and (_have("pyarrow") or _have("fastparquet"))):
            raise CLIError(f"writing parquet file '{path}' needs pandas and pyarrow: pip install pandas pyarrow")
        import pandas as pd

        frame = table["frame"].copy() if "frame" in table else pd.DataFrame(table["X"], columns=table["columns"])
        frame["score"] = scores
        frame["label"] = labels
        if _is_parquet(path):
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
        return
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(table["columns"] + ["score", "label"])
        for cells, s, lab in zip(table["cells"], scores, labels):
            writer.writerow([c.strip() for c in cells] + [repr(float(s)), int(lab)])


# --------------------------------------------------------------------------- score


SCORE_DETECTORS = ("ALGAN", "kNN", "LOF", "IForest", "z-score", "GMM")


def _cmd_score(args):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import benchmark as bm

    try:
        name = bm._canonical_name(args.detector)
    except ValueError as exc:
        raise CLIError(f"--detector: {exc}") from None
    if name not in SCORE_DETECTORS:
        raise CLIError(f"--detector: score supports {', '.join(SCORE_DETECTORS)}, not {name}")
    if args.contamination is not None and not 0.0 < args.contamination <= 0.5:
        raise CLIError(f"--contamination must be in (0, 0.5], got {args.contamination}")
    params = _detector_params(args)
    unused = sorted(set(params) - {name})
    if unused:
        raise CLIError(f"parameters given for {', '.join(unused)}, but the detector is {name}")
    det_params = dict(params.get(name, {}))
    if args.contamination is not None:
        det_params["contamination"] = args.contamination
    try:
        detector = bm.make_detector(name, random_state=args.seed, params=det_params)
    except (ValueError, TypeError) as exc:
        raise CLIError(f"{name} parameters: {_one_line(exc)}") from None
    _check_writable(args.output, "--output")
    if os.path.abspath(args.output) in {os.path.abspath(args.train), os.path.abspath(args.test)}:
        raise CLIError(f"--output '{args.output}' is one of the input files; choose another path")

    train = _read_table(args.train, "train")
    test = _read_table(args.test, "test")
    if train["columns"] != test["columns"]:
        missing = [c for c in train["columns"] if c not in test["columns"]]
        extra = [c for c in test["columns"] if c not in train["columns"]]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing in test: {', '.join(missing)}")
            if extra:
                parts.append(f"not in train: {', '.join(extra)}")
            raise CLIError(f"train and test columns differ ({'; '.join(parts)})")
    clash = [c for c in ("score", "label") if c in test["columns"]]
    if clash:
        raise CLIError(f"test file already has a column named {clash[0]!r}; rename it, the output adds it")
    order = [test["columns"].index(c) for c in train["columns"]]
    X_test = test["X"][:, order]

    model = detector if args.no_scaling else make_pipeline(StandardScaler(), detector)
    try:
        model.fit(train["X"])
        scores = np.asarray(model.score_samples(X_test), dtype=np.float64)
        labels = np.asarray(model.predict(X_test), dtype=np.int64)
    except Exception as exc:  # noqa: BLE001 - reported as one line, never a traceback
        raise CLIError(f"{name} failed: {type(exc).__name__}: {_one_line(exc)}") from None
    if not np.isfinite(scores).all():
        raise CLIError(f"{name} produced {int((~np.isfinite(scores)).sum())} non-finite scores")
    try:
        _write_scores(test, scores, labels, args.output)
    except OSError as exc:
        raise CLIError(f"cannot write '{args.output}': {exc.strerror or exc}") from None
    n_out = int((labels == -1).sum())
    print(
        f"{name}: scored {len(scores)} rows of {args.test} (trained on {train['X'].shape[0]} rows); "
        f"{n_out} labelled outlier (-1); written to {args.output}"
    )
    return 0


# --------------------------------------------------------------------------- parser and entry point


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{PROG}: error: {message}\n")


def build_parser():
    """The argument parser of the command line.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = _Parser(
        prog=PROG,
        description="ALGAN anomaly detection as a scikit-learn outlier detector: benchmark and scoring.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{benchmark,score}", parser_class=_Parser)

    b = sub.add_parser(
        "benchmark",
        help="compare ALGAN with kNN, LOF, IsolationForest, z-score and a Gaussian mixture",
        description=(
            "Novelty protocol: train on 60% of the normal rows (at most 10,000, shuffled with the seed), test on "
            "the other normal rows plus all anomalies (at most 10,000, both classes subsampled alike), "
            "StandardScaler fitted on the training rows. Without --data-dir: scikit-learn's breast cancer data "
            "(benign = normal, malignant = anomaly), seed 0. With --data-dir: every .npz file (arrays X and y, "
            "1 = anomaly) in the folder, seeds 0,1,2. PyOD's SO_GAAL, MO_GAAL and ALAD (with PyOD installed) are "
            "scored with their decision_function as it comes; its orientation is not checked."
        ),
    )
    seeds = b.add_mutually_exclusive_group()
    seeds.add_argument("--seed", type=int, help="one seed (default: 0; 0,1,2 with --data-dir)")
    seeds.add_argument("--seeds", help="comma-separated seeds, e.g. 0,1,2")
    b.add_argument(
        "--detectors",
        help="comma-separated names among ALGAN, kNN, LOF, IForest, z-score, SO_GAAL, MO_GAAL, ALAD, or 'all' "
        "(default: ALGAN,kNN,LOF,IForest,z-score,GMM)",
    )
    b.add_argument("--data-dir", metavar="DIR", help="run every ADBench-style .npz file in DIR")
    b.add_argument("--output", metavar="CSV", help="write one row per data set, seed and detector (as they finish)")
    b.add_argument("--summary-output", metavar="CSV", help="write the per-detector summary")
    b.add_argument("--plot", metavar="PNG", help="scatter plot of per-set AUROC, ALGAN against kNN (needs matplotlib)")
    b.add_argument("--algan-params", metavar="JSON", help="extra ALGANDetector parameters, e.g. '{\"sigma\": 8}'")
    b.add_argument(
        "--detector-params",
        metavar="JSON",
        help='extra parameters by detector, e.g. \'{"kNN": {"n_neighbors": 10}, "IForest": {"n_estimators": 300}}\'',
    )
    b.add_argument("--progress", action="store_true", help="print one line per run to stderr")
    b.add_argument(
        "--threads",
        type=int,
        default=1,
        metavar="N",
        help="threads for torch and the native numeric libraries (default: 1, so that scores and timings do not "
        "depend on the number of cores: torch's results change with its thread count; 0 = library defaults)",
    )
    b.set_defaults(func=_cmd_benchmark)

    s = sub.add_parser(
        "score",
        help="fit on normal rows, score new rows",
        description=(
            "Fit a detector on TRAIN (rows assumed normal) and write TEST with two added columns: 'score' "
            "(higher = more normal) and 'label' (+1 inlier, -1 outlier). Files are CSV with a header of numeric "
            "columns, or parquet when the name ends in .parquet (needs pandas and pyarrow). Columns are matched by "
            "name. Features are standardised with the training mean and std unless --no-scaling."
        ),
    )
    s.add_argument("--train", required=True, metavar="FILE", help="normal rows to fit on")
    s.add_argument("--test", required=True, metavar="FILE", help="rows to score")
    s.add_argument("--output", required=True, metavar="FILE", help="where to write TEST plus score and label")
    s.add_argument(
        "--contamination",
        type=float,
        help="expected outlier fraction in (0, 0.5]: the threshold is that percentile of the scores of normal rows "
        "(for ALGAN, training rows held out from training; for the others, the training rows) "
        "(default: the detector's 'auto' threshold)",
    )
    s.add_argument("--detector", default="ALGAN", help="ALGAN (default), kNN, LOF, IForest, z-score or GMM")
    s.add_argument("--seed", type=int, default=0, help="random_state of the detector (default: 0)")
    s.add_argument("--no-scaling", action="store_true", help="do not standardise the features before the detector")
    s.add_argument("--algan-params", metavar="JSON", help="extra ALGANDetector parameters, e.g. '{\"max_iter\": 500}'")
    s.add_argument(
        "--detector-params", metavar="JSON", help='extra parameters by detector, e.g. \'{"kNN": {"n_neighbors": 10}}\''
    )
    s.add_argument(
        "--threads", type=int, metavar="N", help="threads for torch and the native numeric libraries (default: theirs)"
    )
    s.set_defaults(func=_cmd_score)
    return parser


def main(argv=None):
    """Run the command line.

    Parameters
    ----------
    argv : list of str or None, default=None
        Arguments without the program name; ``sys.argv[1:]`` if None.

    Returns
    -------
    status : int
        0 on success, 1 when some benchmark runs failed (their rows hold the
        error), 2 on an input error (one line on stderr).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with _thread_limit(args.threads):
            return args.func(args)
    except CLIError as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a command that exited (e.g. head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
