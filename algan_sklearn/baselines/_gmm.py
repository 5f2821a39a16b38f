"""Gaussian-mixture density outlier detector (the benchmark's GMM baseline)."""

import warnings
from numbers import Integral

import numpy as np
from sklearn import config_context
from sklearn.covariance import LedoitWolf
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

from .._base import BaseDetector, pow2_scale
from ..utils._compat import Interval
from ..utils._memory import warn_if_quadratic
from ..utils._random import seed_from_random_state

#: Scaled inputs are clipped to this magnitude, so every finite row scores finite.
CLIP = 1.0e4


class GaussianMixtureDetector(BaseDetector):
    """Outlier detection by the log-density of a full-covariance Gaussian mixture.

    Features are standardised; a :class:`~sklearn.mixture.GaussianMixture` with full
    covariances and ``reg_covar=1e-3`` is fitted for 1 to ``max_components``
    components (at most one per ``n_features + 1`` rows), and the one with the lowest
    AIC is kept. ``score_samples`` is its log-density. With more than
    ``max_features`` features the mixture is replaced by one Gaussian with the
    Ledoit-Wolf covariance (``score_samples`` is minus half the squared Mahalanobis
    distance). This is the ``GMM`` baseline of the benchmark protocol: a user who
    wants a density model would pick it.

    Columns constant in the training rows follow the package-wide rule
    (:ref:`constant_columns`). Read more in the User Guide (:doc:`/user_guide/scores`).

    Parameters
    ----------
    max_components : int, default=10
        Largest number of mixture components tried.
    max_features : int, default=100
        Above this many features, a single Ledoit-Wolf Gaussian is used.
    contamination : 'auto' or float in (0, 0.5], default='auto'
        Sets ``offset_`` from the scores of the held-out rows (``calibration_fraction``;
        the training rows' own scores when none are held out): Tukey's lower fence
        (``'auto'``) or that percentile of them, so that about that share of new normal
        rows is flagged. (A mixture's log-density of its own training rows is
        optimistic: more components, more so.)
    calibration_fraction : float in [0, 0.5], default=0.1
        Share of the training rows held out from the mixture; ``offset_`` and
        :meth:`pvalues` use their scores. At least 50 rows (or a fifth of the rows);
        none with 0 or under 25 rows.
    random_state : int, RandomState instance or None, default=None
        Seeds the held-out split and the mixture's initialisation. None takes fresh
        entropy from the operating system; numpy's global random state is never read
        or changed.

    Attributes
    ----------
    mixture_ : GaussianMixture or None
        The selected mixture (None with the Ledoit-Wolf Gaussian).
    n_components_ : int
        Number of components kept (1 with the Ledoit-Wolf Gaussian).
    reference_ : ndarray of shape (n_features_in_ - number of constant features,)
        The training row of highest score: the reference of
        :func:`~algan_sklearn.inspection.feature_contributions`.
    feature_scale_ : ndarray of shape (n_features_in_,)
        Per-feature power of two by which the data are divided before ``scaler_``
        (exact, so that the moments of huge finite values cannot overflow).
    scaler_ : StandardScaler
    offset_ : float
    n_calibration_ : int
        Number of training rows held out (0: none).
    calibration_scores_ : ndarray of shape (n_calibration_,)
        Scores of the held-out rows (of the training rows when none are held out).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    See Also
    --------
    algan_sklearn.ALGANDetector
    sklearn.covariance.EllipticEnvelope : one robust Gaussian.

    Examples
    --------
    >>> import numpy as np
    >>> from algan_sklearn import GaussianMixtureDetector
    >>> X = np.random.RandomState(0).normal(size=(100, 2))
    >>> GaussianMixtureDetector(random_state=0).fit(X).predict([[0.0, 0.0], [6.0, 6.0]])
    array([ 1, -1])
    """

    _parameter_constraints: dict = {
        **BaseDetector._parameter_constraints,
        "max_components": [Interval(Integral, 1, None, closed="left")],
        "max_features": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self, *, max_components=10, max_features=100, contamination="auto", calibration_fraction=0.1, random_state=None
    ):
        self.max_components = max_components
        self.max_features = max_features
        self.contamination = contamination
        self.calibration_fraction = calibration_fraction
        self.random_state = random_state

    def _fit(self, X, X_calibration=None):
        self.feature_scale_ = pow2_scale(np.max(np.abs(X), axis=0))
        self.scaler_ = StandardScaler().fit(X / self.feature_scale_)
        Z = self._transform(X)
        n_samples, n_features = Z.shape
        self.mixture_ = None
        if n_features > self.max_features or n_samples < 2 * (n_features + 1):
            self._fit_gaussian(Z)
        else:
            seed = seed_from_random_state(self.random_state)
            best = None
            with config_context(array_api_dispatch=False), warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                for k in range(1, min(self.max_components, n_samples // (n_features + 1)) + 1):
                    gmm = GaussianMixture(k, covariance_type="full", reg_covar=1e-3, random_state=seed).fit(Z)
                    aic = gmm.aic(Z)
                    if best is None or aic < best[0]:
                        best = (aic, gmm)
            self.mixture_ = best[1]
            self.n_components_ = int(self.mixture_.n_components)
        self.reference_ = X[int(np.argmax(self._score_samples(X)))].copy()
        return self

    def _fit_gaussian(self, Z):
        self.n_components_ = 1
        self._location = Z.mean(axis=0)
        # measured: about 4 d x d float64 matrices at the peak (covariance, eigenvectors, whitening)
        warn_if_quadratic(
            Z.shape[1],
            4,
            "GaussianMixtureDetector's Ledoit-Wolf Gaussian (more than max_features features, or fewer than "
            "2 * (n_features + 1) rows)",
            "Reduce the features first (e.g. PCA in a Pipeline).",
            stacklevel=7,
        )
        # no precision matrix (a d x d pseudo-inverse): the eigendecomposition below whitens
        cov = LedoitWolf(store_precision=False).fit(Z).covariance_ if Z.shape[0] > 1 else np.eye(Z.shape[1])
        eigval, eigvec = np.linalg.eigh(cov)
        self._whiten = eigvec / np.sqrt(np.maximum(eigval, max(eigval.max(), 1e-12) * 1e-6))

    def _transform(self, X):
        with np.errstate(over="ignore", invalid="ignore"):
            return np.clip(self.scaler_.transform(X / self.feature_scale_), -CLIP, CLIP)

    def _score_block(self, X):
        return self._log_density(self._transform(X))

    def _log_density(self, Z):
        """Log-density of standardised rows ``Z`` (the score before the constant-column rule)."""
        if self.mixture_ is None:
            return -0.5 * np.square((Z - self._location) @ self._whiten).sum(axis=1)
        return self.mixture_.score_samples(Z)

    def _score_gradient(self, Z):
        """Gradient of the log-density with respect to the standardised rows ``Z``."""
        if self.mixture_ is None:
            return -((Z - self._location) @ self._whiten) @ self._whiten.T
        resp = self.mixture_.predict_proba(Z)
        grad = np.zeros_like(Z)
        for k, (mean, chol) in enumerate(zip(self.mixture_.means_, self.mixture_.precisions_cholesky_)):
            grad -= resp[:, k : k + 1] * (((Z - mean) @ chol) @ chol.T)
        return grad

    def _score_contributions(self, X):
        """Integrated gradients of the log-density from ``reference_`` (``inspection.py``), to 1e-6 relative."""
        from ..inspection import integrated_gradients_adaptive

        Z = self._transform(X)
        reference = self._transform(self.reference_[None])[0]
        contributions = integrated_gradients_adaptive(self._score_gradient, self._log_density, Z, reference)
        return contributions, float(self._score_block(self.reference_[None])[0])
