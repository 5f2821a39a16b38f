"""ONNX scoring throughput against the package's own scoring, in the same run.

An ALGANDetector (default parameters, seed 0) fitted on 10,000 x 20 Gaussian rows
scores 1,000,000 x 20 float32 rows: with ``score_samples`` (``n_jobs=None``: one
thread) and with onnxruntime (one intra-op thread, and the library default; the whole
array in one call, and in calls of 16,384 rows), median of ``--repeats`` runs each. Also
checks that the scores agree within 1e-4 relative and the labels exactly.

Usage (run it alone: it times things)::

    python benchmarks/bench_onnx.py --output benchmarks/results/onnx_speed.csv
"""

import argparse
import statistics
import time

import numpy as np
import onnxruntime as ort
import torch

from algan_sklearn import ALGANDetector
from algan_sklearn.benchmark import write_csv
from algan_sklearn.onnx import to_onnx


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    rng = np.random.RandomState(0)
    det = ALGANDetector(random_state=0).fit(rng.normal(size=(10_000, 20)))
    X = rng.normal(size=(args.rows, 20)).astype(np.float32)
    model = to_onnx(det).SerializeToString()
    rows = []
    package_s, expected = timed(lambda: det.score_samples(X), args.repeats)
    rows.append({"method": "score_samples (1 thread)", "seconds": package_s, "rows_per_s": args.rows / package_s})
    labels_expected = det.predict(X)

    def run_in_chunks(session, chunk):
        parts = [session.run(None, {"X": X[i : i + chunk]}) for i in range(0, len(X), chunk)]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    for threads in (1, 0):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        for chunk in (args.rows, 16384):
            seconds, (labels, scores) = timed(lambda s=session, c=chunk: run_in_chunks(s, c), args.repeats)
            gap = np.abs(scores - expected) / np.maximum(np.abs(expected), 1.0)
            assert gap.max() <= 1e-4, gap.max()
            assert (labels == labels_expected).all()
            how = "one call" if chunk == args.rows else f"calls of {chunk} rows"
            name = f"onnxruntime, {threads or 'default'} thread{'s' if threads != 1 else ''}, {how}"
            rows.append({"method": name, "seconds": seconds, "rows_per_s": args.rows / seconds})
    for r in rows:
        r["speedup_vs_package"] = package_s / r["seconds"]
        print(f"{r['method']:32s} {r['seconds']:.3f} s  {r['rows_per_s']:.3g} rows/s  x{r['speedup_vs_package']:.2f}")
    if args.output:
        write_csv(rows, args.output)


if __name__ == "__main__":
    main()
