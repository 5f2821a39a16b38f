"""Aligned text tables for the command line's printed results."""

import math


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


def drop_empty_error(columns, rows):
    if any(r.get("error") for r in rows):
        return columns
    return [c for c in columns if c[0] != "error"]
