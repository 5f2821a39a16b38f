"""Data loaders: the breast cancer data shipped with scikit-learn and ADBench-style folders.

Every loader returns ``X`` (float64, shape ``(n_samples, n_features)``) and ``y``
(int64, shape ``(n_samples,)``) with the convention of the benchmark:
``y == 1`` marks an anomaly, ``y == 0`` a normal row.
"""

from ._adbench import iter_adbench_dir, list_adbench_dir, load_adbench_npz
from ._builtin import load_breast_cancer_sklearn

__all__ = [
    "iter_adbench_dir",
    "list_adbench_dir",
    "load_adbench_npz",
    "load_breast_cancer_sklearn",
]
