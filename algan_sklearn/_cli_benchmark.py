"""The ``benchmark`` command of the command line (:mod:`algan_sklearn.cli`)."""

import csv
import importlib.util
import json
import math
import sys
from contextlib import ExitStack

from ._io import CLIError, one_line
from .cli import PROG, check_writable, detector_params, parse_seeds, same_file


def cmd_benchmark(args):
    """Run ``algan-sklearn benchmark`` with the parsed ``args``; returns the exit status."""
    if importlib.util.find_spec("pandas") is None:
        raise CLIError("the benchmark's summaries need pandas: pip install 'algan-sklearn[benchmarks]'")
    from . import benchmark as bm
    from ._text_table import MEAN_TABLE, RUN_TABLE, SUMMARY_TABLE, drop_empty_error, format_table
    from .datasets import list_adbench_dir, load_breast_cancer_sklearn

    if args.seed is not None:
        seeds = [args.seed]
    elif args.seeds is not None:
        seeds = parse_seeds(args.seeds)
    else:
        seeds = [0, 1, 2] if args.data_dir else [0]
    try:
        detectors = bm.resolve_detector_names(args.detectors) if args.detectors else list(bm.DEFAULT_DETECTORS)
    except (ValueError, ImportError) as exc:
        raise CLIError(f"--detectors: {exc}") from None
    params = detector_params(args)
    unused = sorted(set(params) - set(detectors))
    if unused:
        raise CLIError(f"parameters given for {', '.join(unused)}, which is not among the detectors run")
    for name in detectors:  # parameter names are checked before anything runs
        try:
            bm.make_detector(name, random_state=seeds[0], params=params.get(name))
        except (ValueError, TypeError) as exc:
            raise CLIError(f"{name} parameters: {one_line(exc)}") from None
    named = ((args.output, "--output"), (args.summary_output, "--summary-output"), (args.plot, "--plot"))
    outputs = [(path, option) for path, option in named if path]
    for k, (path, option) in enumerate(outputs):
        check_writable(path, option)
        for earlier, earlier_option in outputs[:k]:
            if same_file(earlier, path):
                raise CLIError(f"{earlier_option} and {option} name the same file '{path}'; give each its own")
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
            raise CLIError(one_line(exc)) from None

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
        print(format_table(rows, drop_empty_error(RUN_TABLE, rows)))
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

        from .plotting import plot_auroc_scatter

        fig = Figure(figsize=(5.5, 5.5))
        ax = fig.add_subplot()
        plot_auroc_scatter(rows, x="kNN", y="ALGAN", ax=ax, annotate=True)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=150)
        print(f"# plot written to {args.plot}")
    return 1 if any(r["error"] for r in rows) else 0
