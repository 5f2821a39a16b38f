"""The ``score`` command of the command line (:mod:`algan_sklearn.cli`): streams the test file."""

import numpy as np

from ._io import CLIError, one_line
from .cli import check_writable, detector_params, same_file

ADDED_COLUMNS = ("score", "label")


def _split_names(text):
    return [c.strip() for c in text.split(",") if c.strip()] if text else []


def _make_detector(args):
    """The name and the unfitted detector named by the options (one of the benchmark's default detectors)."""
    from . import benchmark as bm
    from .benchmark._registry import _canonical_name

    try:
        name = _canonical_name(args.detector)
    except ValueError:
        name = None
    if name not in bm.DEFAULT_DETECTORS:
        what = f"unknown detector {args.detector!r}" if name is None else f"{name} is for the benchmark only"
        raise CLIError(f"--detector: {what}; score supports {', '.join(bm.DEFAULT_DETECTORS)}")
    if args.contamination is not None and not 0.0 < args.contamination <= 0.5:
        raise CLIError(f"--contamination must be in (0, 0.5], got {args.contamination}")
    params = detector_params(args)
    unused = sorted(set(params) - {name})
    if unused:
        raise CLIError(f"parameters given for {', '.join(unused)}, but the detector is {name}")
    det_params = dict(params.get(name, {}))
    if args.contamination is not None:
        det_params["contamination"] = args.contamination
    try:
        detector = bm.make_detector(name, random_state=args.seed, params=det_params)
    except (ValueError, TypeError) as exc:
        raise CLIError(f"{name} parameters: {one_line(exc)}") from None
    return name, detector


def _score_model(detector, X_train, no_scaling):
    """``detector``, behind a scaler of the columns not constant in ``X_train`` unless ``no_scaling``.

    The scaler divides each column by its largest magnitude (so that the sums of squares
    of a column holding 1e308 stay finite) and standardises it. It leaves the columns
    constant in the training file as they are: standardised, a column constant up to
    rounding would become rounding residuals around 0, which the detector's
    constant-column rule cannot tell from a measured spread. The detector applies
    that rule to them.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MaxAbsScaler, StandardScaler

    from ._constant import ConstantColumns

    if no_scaling:
        return detector
    keep = ConstantColumns(X_train).keep
    scale = make_pipeline(MaxAbsScaler(), StandardScaler())
    return make_pipeline(ColumnTransformer([("scale", scale, keep)], remainder="passthrough"), detector)


def _feature_columns(reader, drop, label):
    """Names of the feature columns of ``reader`` (``drop`` and ``label`` removed)."""
    return [c for c in reader.columns if c not in drop and c != label]


def _names(columns, limit=8):
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (", ..." if len(columns) > limit else "")


def cmd_score(args):
    """Run ``algan-sklearn score`` with the parsed ``args``; returns the exit status."""
    from ._io import TableReader

    name, detector = _make_detector(args)
    check_writable(args.output, "--output")
    if any(same_file(args.output, path) for path in (args.train, args.test)):
        raise CLIError(f"--output '{args.output}' is one of the input files; choose another path")
    with TableReader(args.train, "train") as train, TableReader(args.test, "test") as test:
        return _score_files(args, name, detector, train, test)


def _score_files(args, name, detector, train, test):
    from ._io_writer import TableWriter

    drop, label = _split_names(args.drop_columns), args.label_column
    if label is not None and label in drop:
        raise CLIError(
            f"--label-column {label!r} is also in --drop-columns; name it in one of them (the label column is "
            "already left out of the features and kept in the output)"
        )
    if label is not None and label not in test.columns:
        raise CLIError(f"--label-column: {test.name} has no column {label!r} (columns: {_names(test.columns)})")
    unknown = [c for c in drop if c not in train.columns and c not in test.columns]
    if unknown:
        raise CLIError(f"--drop-columns: no column {unknown[0]!r} in train or test (test has {_names(test.columns)})")
    train.skip(drop)  # dropped columns may hold text (ids, names): they are not parsed
    test.skip(drop)
    features = _feature_columns(train, drop, label)
    test_features = _feature_columns(test, drop, label)
    missing = [c for c in features if c not in test_features]
    extra = [c for c in test_features if c not in features]
    if missing or extra:
        parts = ([f"missing in test: {_names(missing)}"] if missing else []) + (
            [f"not in train: {_names(extra)}"] if extra else []
        )
        raise CLIError(f"train and test columns differ ({'; '.join(parts)}); --drop-columns removes columns")
    clash = [c for c in ADDED_COLUMNS if c in test.columns]
    if clash:
        raise CLIError(f"{test.name} already has a column named {clash[0]!r}, which the output adds; rename it")

    X_train = train.read()
    X_train = X_train[:, [train.columns.index(c) for c in features]]
    model = _score_model(detector, X_train, args.no_scaling)
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # the input checks sum the raw values (1e308 overflows)
            model.fit(X_train)
    except Exception as exc:  # noqa: BLE001 - reported as one line, never a traceback
        raise CLIError(f"{name} failed to fit: {type(exc).__name__}: {one_line(exc)}") from None
    order = [test.columns.index(c) for c in features]
    label_at = test.columns.index(label) if label is not None else None
    n_rows = n_out = 0
    truth, all_scores = [], []
    with TableWriter(args.output, test.columns + list(ADDED_COLUMNS), skipped=test.skipped) as writer:
        for cells, X in test.chunks():
            with np.errstate(all="ignore"):  # the detectors check their input; numpy's sums may overflow
                scores = np.asarray(model.score_samples(X[:, order]))
            labels = np.where(scores - detector.offset_ < 0, -1, 1)  # predict's rule, without scoring twice
            if not np.isfinite(scores).all():
                raise CLIError(f"{name} produced {int((~np.isfinite(scores)).sum())} non-finite scores")
            writer.write(cells, X, scores, labels)
            n_rows += len(scores)
            n_out += int((labels == -1).sum())
            if label_at is not None:
                truth.append(_check_labels(label, X[:, label_at]))
                all_scores.append(scores)
    print(
        f"{name}: scored {n_rows} rows of {args.test} (trained on {X_train.shape[0]} rows); "
        f"{n_out} labelled outlier (-1); written to {args.output}"
    )
    if label_at is not None:
        print(_auroc_line(label, np.concatenate(truth), np.concatenate(all_scores)))
    return 0


def _check_labels(label, y):
    bad = np.flatnonzero((y != 0) & (y != 1))
    if len(bad):
        raise CLIError(f"--label-column {label!r} must hold 0 (normal) or 1 (anomaly), found {float(y[bad[0]])!r}")
    return y


def _auroc_line(label, y, scores):
    """AUROC and average precision of ``-scores`` against the label column (1 = anomaly)."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    if len(np.unique(y)) < 2:
        return f"# {label!r} holds one class only: no AUROC"
    return (
        f"# against {label!r} (1 = anomaly): AUROC {roc_auc_score(y, -scores):.4f}, "
        f"AP {average_precision_score(y, -scores):.4f}"
    )
