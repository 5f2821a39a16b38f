"""Command line: ``algan-sklearn`` or ``python -m algan_sklearn``.

Subcommands
-----------
benchmark
    Compare ALGAN with the baselines under the benchmark's novelty protocol, on
    scikit-learn's breast cancer data (default) or on every ADBench-style
    ``.npz`` file of a folder (``--data-dir``).
score
    Fit a detector on a file of normal rows and write the score and label of
    every row of another file (read and written in chunks).

Run ``algan-sklearn SUBCOMMAND --help`` for the options. Input errors print one
line, ``algan-sklearn: error: ...``, and exit with status 2. Only the standard
library is imported before the arguments are parsed, so ``--help`` is immediate;
each command imports what it needs.
"""

import argparse
import importlib
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from ._io import CLIError, one_line
from ._io_writer import output_target

PROG = "algan-sklearn"


# --------------------------------------------------------------------------- argument helpers


def parse_seeds(text):
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


def detector_params(args):
    """Merge ``--detector-params`` and ``--algan-params`` into {name: params}."""
    from .benchmark._registry import _canonical_name

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
    from threadpoolctl import threadpool_limits

    from .utils._torch import torch_threads

    with torch_threads(n), threadpool_limits(limits=n):
        yield


def check_writable(path, option):
    """One line naming ``option`` unless ``path`` can be written as a file.

    Symbolic links are followed; a character device or a named pipe is accepted
    (written to directly), other non-regular files are refused (``_io_writer.output_target``).
    """
    if not str(path).strip() or Path(path).name in ("", ".", ".."):
        raise CLIError(f"{option}: '{path}' is not a file name")
    if Path(path).is_dir():
        raise CLIError(f"{option}: '{path}' is a folder; give a file name")
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise CLIError(f"{option}: folder '{parent}' does not exist")
    output_target(path, option)


def same_file(a, b):
    """Whether paths ``a`` and ``b`` name one file (through symbolic and hard links)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return os.path.realpath(a) == os.path.realpath(b)


# ---------------------------------------------------------------------- parser and entry point


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
    from ._version import __version__

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
    b.set_defaults(command_module="_cli_benchmark", command_function="cmd_benchmark")

    s = sub.add_parser(
        "score",
        help="fit on normal rows, score new rows",
        description=(
            "Fit a detector on TRAIN (rows assumed normal) and write TEST with two added columns: 'score' "
            "(higher = more normal) and 'label' (+1 inlier, -1 outlier). Files are CSV with a header of numeric "
            "columns, or parquet when the name ends in .parquet (needs pandas and pyarrow). Columns are matched by "
            "name. Features are standardised with the training mean and std unless --no-scaling. The test file "
            "is read, scored and written in chunks of rows, so its length does not change the memory used."
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
        "(default: the detector's 'auto' threshold, Tukey's lower fence, which usually flags fewer)",
    )
    s.add_argument("--detector", default="ALGAN", help="ALGAN (default), kNN, LOF, IForest, z-score or GMM")
    s.add_argument("--seed", type=int, default=0, help="random_state of the detector (default: 0)")
    s.add_argument("--no-scaling", action="store_true", help="do not standardise the features before the detector")
    s.add_argument("--algan-params", metavar="JSON", help="extra ALGANDetector parameters, e.g. '{\"max_iter\": 500}'")
    s.add_argument(
        "--detector-params", metavar="JSON", help='extra parameters by detector, e.g. \'{"kNN": {"n_neighbors": 10}}\''
    )
    s.add_argument(
        "--drop-columns", metavar="A,B", help="comma-separated columns to ignore (kept in the output, not scored)"
    )
    s.add_argument(
        "--label-column",
        metavar="NAME",
        help="a column of TEST (and possibly TRAIN) holding 1 = anomaly, 0 = normal: not scored, kept in the "
        "output, and used to print AUROC and average precision",
    )
    s.add_argument(
        "--threads", type=int, metavar="N", help="threads for torch and the native numeric libraries (default: theirs)"
    )
    s.set_defaults(command_module="_cli_score", command_function="cmd_score")
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
            module = importlib.import_module(f".{args.command_module}", __package__)
            return getattr(module, args.command_function)(args)
    except CLIError as exc:
        print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a command that exited (e.g. head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
