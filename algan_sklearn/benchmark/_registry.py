"""The named detectors of the benchmark: how to build each and read its anomaly score."""

import importlib
import importlib.util
import inspect
from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor

from .._detector import ALGANDetector
from ..baselines import GaussianMixtureDetector, KNNDetector, ZScoreDetector


def _neg_score_samples(estimator, X):
    return -np.asarray(estimator.score_samples(X), dtype=np.float64)


def _decision_function(estimator, X):
    return np.asarray(estimator.decision_function(X), dtype=np.float64).ravel()


def _accepts(cls, name):
    try:
        return name in inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class _DetectorSpec:
    """How to build a named detector and turn its output into an anomaly score."""

    name: str
    description: str
    module: str = None  # module to import the class from (optional dependencies)
    attr: str = None
    extra: str = None  # pip extra that provides ``module``

    def load_class(self):
        if self.module is None:
            return _BUILTIN_CLASSES[self.name]
        if importlib.util.find_spec(self.module.split(".")[0]) is None:
            raise ImportError(
                f"The {self.name} detector needs the optional dependency "
                f"'{self.module.split('.')[0]}': pip install 'algan-sklearn[{self.extra}]'"
            )
        return getattr(importlib.import_module(self.module), self.attr)

    def available(self):
        return self.module is None or importlib.util.find_spec(self.module.split(".")[0]) is not None

    def build(self, random_state, params):
        cls = self.load_class()
        kwargs = dict(_BUILTIN_DEFAULTS.get(self.name, {}))
        if random_state is not None and _accepts(cls, "random_state"):
            kwargs["random_state"] = random_state
        if self.module is not None and _accepts(cls, "verbose"):
            kwargs["verbose"] = 0
        estimator = cls(**kwargs)
        if params:
            estimator.set_params(**params)
        return estimator

    def anomaly_score(self, estimator, X):
        # scikit-learn style: score_samples is higher for normal rows. PyOD:
        # decision_function is documented as higher for outliers; it is used as it
        # comes, without checking its orientation (the GAN detectors' is not consistent).
        if self.module is None:
            return _neg_score_samples(estimator, X)
        return _decision_function(estimator, X)


_BUILTIN_CLASSES = {
    "ALGAN": ALGANDetector,
    "kNN": KNNDetector,
    "LOF": LocalOutlierFactor,
    "IForest": IsolationForest,
    "z-score": ZScoreDetector,
    "GMM": GaussianMixtureDetector,
}

# The protocol's baselines use every training row (AUROC needs no threshold): the
# package's baselines hold none out here. ALGAN keeps its default held-out rows, which
# also fit D's weight.
_BUILTIN_DEFAULTS = {
    "kNN": {"n_neighbors": 5, "calibration_fraction": 0.0},
    "z-score": {"calibration_fraction": 0.0},
    "GMM": {"calibration_fraction": 0.0},
    "LOF": {"novelty": True},
}

_SPECS = {
    spec.name: spec
    for spec in (
        _DetectorSpec("ALGAN", "ALGANDetector with default parameters, random_state=seed"),
        _DetectorSpec("kNN", "KNNDetector(n_neighbors=5): distance to the 5th nearest training row"),
        _DetectorSpec("LOF", "sklearn LocalOutlierFactor(novelty=True), defaults"),
        _DetectorSpec("IForest", "sklearn IsolationForest(random_state=seed), defaults"),
        _DetectorSpec("z-score", "ZScoreDetector: mean squared z-score over features"),
        _DetectorSpec("GMM", "GaussianMixtureDetector: full covariance, 1-10 components by AIC, random_state=seed"),
        _DetectorSpec(
            "SO_GAAL", "PyOD SO_GAAL, defaults; decision_function as it comes", "pyod.models.so_gaal", "SO_GAAL", "pyod"
        ),
        _DetectorSpec(
            "MO_GAAL", "PyOD MO_GAAL, defaults; decision_function as it comes", "pyod.models.mo_gaal", "MO_GAAL", "pyod"
        ),
        _DetectorSpec("ALAD", "PyOD ALAD, defaults; decision_function as it comes", "pyod.models.alad", "ALAD", "pyod"),
    )
}

_ALIASES = {
    "algan": "ALGAN",
    "knn": "kNN",
    "lof": "LOF",
    "iforest": "IForest",
    "isolationforest": "IForest",
    "z-score": "z-score",
    "zscore": "z-score",
    "gmm": "GMM",
    "gaussianmixture": "GMM",
    "so_gaal": "SO_GAAL",
    "so-gaal": "SO_GAAL",
    "mo_gaal": "MO_GAAL",
    "mo-gaal": "MO_GAAL",
    "alad": "ALAD",
}


def _canonical_name(name):
    key = str(name).strip().lower()
    if key not in _ALIASES:
        raise ValueError(f"Unknown detector {name!r}; known detectors: {', '.join(_SPECS)}.")
    return _ALIASES[key]


def available_detectors():
    """Names of the detectors that can run in this environment.

    The PyOD GAN detectors (``'SO_GAAL'``, ``'MO_GAAL'``, ``'ALAD'``) are listed
    only when PyOD is installed (``pip install 'algan-sklearn[pyod]'``).

    Returns
    -------
    names : list of str
        In the order ALGAN, kNN, LOF, IForest, z-score, GMM, then the PyOD detectors.
    """
    return [name for name, spec in _SPECS.items() if spec.available()]


def resolve_detector_names(names):
    """Canonical detector names from a comma-separated string or an iterable.

    Matching is case-insensitive and accepts aliases (``'IsolationForest'``,
    ``'zscore'``); ``'all'`` stands for :func:`available_detectors`.

    Parameters
    ----------
    names : str or iterable of str

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        For an unknown name or an empty list.
    ImportError
        For a known detector whose optional dependency is missing.
    """
    if isinstance(names, str):
        names = [n for n in names.split(",") if n.strip()]
    out = []
    for name in names:
        if str(name).strip().lower() == "all":
            resolved = available_detectors()
        else:
            canonical = _canonical_name(name)
            _SPECS[canonical].load_class()  # ImportError naming the extra when missing
            resolved = [canonical]
        out.extend(n for n in resolved if n not in out)
    if not out:
        raise ValueError("No detector given.")
    return out


def make_detector(name, *, random_state=None, params=None):
    """Build a benchmark detector by name, unfitted.

    Parameters
    ----------
    name : str
        One of :func:`available_detectors` (case-insensitive): ``'ALGAN'``
        (:class:`~algan_sklearn.ALGANDetector`, default parameters), ``'kNN'``
        (:class:`~algan_sklearn.KNNDetector` with ``n_neighbors=5``), ``'LOF'``
        (:class:`~sklearn.neighbors.LocalOutlierFactor` with ``novelty=True``),
        ``'IForest'`` (:class:`~sklearn.ensemble.IsolationForest`), ``'z-score'``
        (:class:`~algan_sklearn.ZScoreDetector`), or with PyOD installed
        ``'SO_GAAL'``, ``'MO_GAAL'``, ``'ALAD'``.
    random_state : int or None, default=None
        Passed to detectors that take a ``random_state``.
    params : dict or None, default=None
        Extra parameters set with ``set_params`` after construction, overriding
        the benchmark's defaults (e.g. ``{"sigma": 8}`` for ALGAN).

    Returns
    -------
    estimator : object
        The unfitted detector.

    Raises
    ------
    ValueError
        For an unknown detector or parameter name.
    ImportError
        When the detector's optional dependency is not installed.

    Examples
    --------
    >>> from algan_sklearn.benchmark import make_detector
    >>> make_detector("kNN")
    KNNDetector(calibration_fraction=0.0)
    >>> make_detector("ALGAN", random_state=0, params={"sigma": 4.0})
    ALGANDetector(random_state=0, sigma=4.0)
    """
    return _SPECS[_canonical_name(name)].build(random_state, params)
