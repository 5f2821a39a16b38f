"""Run the ADBench novelty benchmark on the shared data and keep the results under benchmarks/results/.

A thin wrapper around the command line; everything it does is one call of::

    algan-sklearn benchmark --data-dir ../shared/datasets/adbench/classical --seeds 0,1,2 \\
        --output benchmarks/results/classical.csv \\
        --summary-output benchmarks/results/classical_summary.csv \\
        --plot benchmarks/results/classical_auroc.png --progress

Usage (from the repository root)::

    python benchmarks/run_adbench.py classical            # 31 tabular sets
    python benchmarks/run_adbench.py mvtec_resnet18       # 15 MVTec-AD embedding sets
    python benchmarks/run_adbench.py classical --tag sigma8 --algan-params '{"sigma": 8}'
    python benchmarks/run_adbench.py classical --detectors ALGAN,kNN --seeds 0

Any option after the suite name (``--seeds``, ``--detectors``, ``--algan-params``,
``--detector-params``, ``--threads``) is passed to ``algan-sklearn benchmark``.
``--tag NAME`` adds a suffix to the result file names, so ablations do not
overwrite the default run. The data folder defaults to
``../shared/datasets/adbench/<suite>`` next to the repository; ``--data-root``
points elsewhere. The plot is skipped when matplotlib is not installed.

Protocol and baselines: see ``algan_sklearn.benchmark`` and the project's
benchmark notes. PyOD's SO_GAAL, MO_GAAL and ALAD run only when named in
``--detectors`` (or with ``--detectors all``) and PyOD is installed; their
``decision_function`` is used as the anomaly score as it comes, without
checking its orientation.
"""

import argparse
import importlib.util
import sys
from pathlib import Path

from algan_sklearn.cli import main as cli_main

REPO = Path(__file__).resolve().parents[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], add_help=True)
    parser.add_argument("suite", help="folder name under the data root: classical or mvtec_resnet18")
    parser.add_argument("--data-root", default=str(REPO.parent / "shared" / "datasets" / "adbench"))
    parser.add_argument("--results", default=str(REPO / "benchmarks" / "results"), help="output folder")
    parser.add_argument("--tag", default="", help="suffix of the result files, e.g. 'sigma8'")
    args, rest = parser.parse_known_args(argv)

    results = Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    stem = args.suite + (f"_{args.tag}" if args.tag else "")
    cli_args = [
        "benchmark",
        "--data-dir",
        str(Path(args.data_root) / args.suite),
        "--output",
        str(results / f"{stem}.csv"),
        "--summary-output",
        str(results / f"{stem}_summary.csv"),
        "--progress",
    ]
    if not any(a == "--seed" or a.startswith("--seeds") for a in rest):
        cli_args += ["--seeds", "0,1,2"]
    detectors = next((rest[i + 1] for i, a in enumerate(rest[:-1]) if a == "--detectors"), None)
    wants_plot = detectors is None or {"algan", "knn"} <= {d.strip().lower() for d in detectors.split(",")}
    if wants_plot and importlib.util.find_spec("matplotlib") is not None:
        cli_args += ["--plot", str(results / f"{stem}_auroc.png")]
    return cli_main(cli_args + rest)


if __name__ == "__main__":
    sys.exit(main())
