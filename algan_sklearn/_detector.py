"""ALGANDetector: ALGAN anomaly detection as a scikit-learn outlier detector.

Parameters, validation and the fit/score wiring only; the networks live in
``_networks.py`` and the training loop in ``_training.py``.
"""

import copy
import warnings
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real

import numpy as np
import torch
from joblib import effective_n_jobs
from sklearn import config_context
from sklearn.covariance import LedoitWolf
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import RobustScaler, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ._base import BaseDetector, pow2_scale
from ._networks import INPUT_CLAMP, Discriminator, Generator
from ._training import train_algan
from .utils._compat import Interval, StrOptions, _fit_context, validate_data
from .utils._progress import progress_callback
from .utils._torch import resolve_device, seed_from_random_state, torch_threads

#: Rows scaled per chunk when scoring: bounds the temporary copies of ``X`` (a multiple
#: of ``SCORE_TILE_ROWS`` wastes no padding). See benchmarks/bench_speed.py.
SCORE_BATCH_SIZE = 16384
#: Rows of every forward pass through D when scoring (a partial tile is padded with
#: zero rows): one fixed matrix shape, so a row's float32 score does not depend on the
#: other rows. Changing it changes the scores' rounding (about 1e-6 relative).
SCORE_TILE_ROWS = 2048


def _positive_int_tuple(value, name):
    try:
        values = tuple(value)
    except TypeError:
        values = None
    if (
        values is None
        or len(values) == 0
        or not all(isinstance(v, Integral) and not isinstance(v, bool) and v > 0 for v in values)
    ):
        raise ValueError(
            f"The '{name}' parameter of ALGANDetector must be a non-empty tuple of positive "
            f"ints. Got {value!r} instead."
        )
    return tuple(int(v) for v in values)


#: Largest accepted ``sigma``: latents are float32 (max ~3.4e38), and the generator's
#: outputs for wider latents overflow.
MAX_SIGMA = 1e30

#: The Gaussian envelope's covariance is estimated on at most this many training rows.
ENVELOPE_MAX_ROWS = 100_000
#: The ``'gmm'`` envelope: largest number of mixture components tried (chosen by AIC) ...
ENVELOPE_MAX_COMPONENTS = 10
#: ... fitted on at most this many training rows, and at most MIXTURE_MAX_WORK / n_features^2
#: (EM's cost grows as rows x n_features^2: the cap bounds it to that of 10,000 x 40) ...
MIXTURE_MAX_ROWS = 10_000
MIXTURE_MAX_WORK = 16_000_000
#: ... and only with at most this many features (beyond, a full-covariance mixture costs
#: too much and is rarely supported by the rows: the single Ledoit-Wolf Gaussian is used).
MIXTURE_MAX_FEATURES = 100
#: Covariance regularisation of the mixture, relative to each feature's variance.
MIXTURE_REG_COVAR = 1e-3


def _subsample(Xs, max_rows, seed):
    if Xs.shape[0] <= max_rows:
        return Xs
    rows = np.random.RandomState(seed).choice(Xs.shape[0], max_rows, replace=False)
    return Xs[np.sort(rows)]


def _gaussian_envelope(X64):
    center = X64.mean(axis=0)
    if X64.shape[0] > 1 and np.ptp(X64, axis=0).max() > 0:
        cov = LedoitWolf().fit(X64).covariance_
    else:
        cov = np.eye(X64.shape[1])
    eigval, eigvec = np.linalg.eigh(cov)
    floor = max(eigval.max(), 1e-12) * 1e-6
    whiten = eigvec / np.sqrt(np.maximum(eigval, floor))
    return {"kind": "gaussian", "center": center, "whiten": whiten}


def _mixture_envelope(X64, seed, n_threads):
    """Full-covariance Gaussian mixture with the number of components chosen by AIC.

    AIC, not BIC: the envelope is used as a density, so the criterion that estimates
    out-of-sample log-likelihood (AIC) fits the purpose better than the one that
    looks for the "true" number of clusters (BIC); measured on the 31 ADBench sets
    (seeds 0, 1, 2), ALGAN's mean AUROC is 0.864 with AIC against 0.861 with BIC,
    and landsat rises from 0.659 to 0.720 (benchmark results page).
    """
    n_samples, n_features = X64.shape
    max_components = min(ENVELOPE_MAX_COMPONENTS, n_samples // (n_features + 1))
    # Fitted on unit-variance features (so the regularisation is relative), mapped back.
    center = X64.mean(axis=0)
    scale = X64.std(axis=0)
    scale[~(scale > 0)] = 1.0
    Z = (X64 - center) / scale
    best = None
    # numpy arrays in, numpy arrays out: array API dispatch (if the caller enabled it)
    # does not apply to this internal fit, whose k-means initialisation does not support it.
    with threadpool_limits(limits=n_threads), config_context(array_api_dispatch=False), warnings.catch_warnings():
        # Too few distinct rows for k components, or EM not converged in max_iter: that k
        # simply gets a worse AIC; nothing for the user to act on.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for k in range(1, max_components + 1):
            gmm = GaussianMixture(k, covariance_type="full", reg_covar=MIXTURE_REG_COVAR, random_state=seed)
            gmm.fit(Z)
            aic = gmm.aic(Z)
            if best is None or aic < best[0]:
                best = (aic, gmm)
    gmm = best[1]
    chol = gmm.precisions_cholesky_  # (k, d, d): ||(z - mean_k) @ chol_k||^2 is the Mahalanobis term
    whiten = chol / scale[None, :, None]
    means = gmm.means_ * scale + center
    logw = np.log(gmm.weights_) + np.log(np.abs(np.diagonal(chol, axis1=1, axis2=2))).sum(axis=1)
    return {"kind": "gmm", "means": means, "whiten": whiten, "logw": logw}


def _envelope(Xs, kind, seed, n_threads=1):
    """Envelope of the scaled training rows ``Xs`` for the discriminator (see ``_networks``).

    ``'gaussian'``: mean and whitening matrix of the Ledoit-Wolf shrunk covariance
    (well conditioned even with fewer rows than features; eigenvalues floored at 1e-6
    of the largest), from at most ``ENVELOPE_MAX_ROWS`` rows drawn with ``seed``.
    ``'gmm'``: a full-covariance Gaussian mixture of 1 to ``ENVELOPE_MAX_COMPONENTS``
    components (at most one per ``n_features + 1`` rows), the number chosen by AIC, from
    at most ``min(MIXTURE_MAX_ROWS, MIXTURE_MAX_WORK // n_features**2)`` rows drawn with
    ``seed``; the Gaussian one beyond ``MIXTURE_MAX_FEATURES`` features.
    ``'box'``: per-feature minimum and maximum of all rows.
    """
    if kind is None:
        return None
    if kind == "box":
        return {"kind": "box", "low": Xs.min(axis=0).astype(np.float64), "high": Xs.max(axis=0).astype(np.float64)}
    n_samples, n_features = Xs.shape
    if kind == "gmm" and n_features <= MIXTURE_MAX_FEATURES and n_samples >= n_features + 1:
        max_rows = max(n_features + 1, min(MIXTURE_MAX_ROWS, MIXTURE_MAX_WORK // max(1, n_features) ** 2))
        return _mixture_envelope(_subsample(Xs, max_rows, seed).astype(np.float64), seed, n_threads)
    return _gaussian_envelope(_subsample(Xs, ENVELOPE_MAX_ROWS, seed).astype(np.float64))


def _check_betas(value):
    try:
        betas = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        betas = ()
    if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
        raise ValueError(
            "The 'betas' parameter of ALGANDetector must be a pair (beta1, beta2) of floats "
            f"in [0, 1). Got {value!r} instead."
        )
    return betas


class ALGANDetector(BaseDetector):
    """Anomaly detection by generating pseudo-anomalous data via latent variables (ALGAN).

    A GAN is trained on normal data. Latents are drawn from the mixture
    ``alpha * N(0, I) + (1 - alpha) * N(0, sigma^2 I)``: the generator G maps the
    normal-state part to data that imitates the training set, and the wide,
    anomalous-state part to pseudo-anomalous data. The discriminator D learns to
    separate training rows from everything generated (fake-normal, pseudo-anomalous,
    and samples kept from early in training). D's logit is the score: one forward
    pass per row. Method: Murase & Fukumizu (2022), Sec. III.

    Parameters
    ----------
    latent_dim : int, default=100
        Dimension ``m`` of the latent space (paper's value).
    alpha : float in (0, 1], default=0.5
        Weight of the normal-state component ``N(0, I)`` in the latent mixture: the
        fraction of every generated batch that is fake-normal. The rest are
        pseudo-anomalies. 0.5 is our choice (the paper tunes it).
    sigma : float in (0, 1e30], default=8.0
        Standard deviation of the anomalous-state component ``N(0, sigma^2 I)``
        (the bound keeps the float32 latents and generator outputs finite).
        The paper uses 4; 8 is our default, chosen by the alpha x sigma grid study
        on the ADBench sets (mean AUROC 0.809 against 0.785 for 4, at alpha=0.5; see
        the benchmark results page).
    generator_hidden : tuple of int, default=(256, 256)
        Hidden layer widths of G's MLP (LeakyReLU 0.2). Our choice.
    discriminator_hidden : tuple of int, default=(64, 64)
        Hidden layer widths of D's MLP (LeakyReLU 0.2). Our choice: D's forward pass
        is most of the cost of scoring, and on the 31 ADBench sets (seeds 0, 1, 2)
        (64, 64) measured the same mean AUROC as (128, 128) (0.864), as did
        (256, 256) on seed 0 (see the benchmark results page), at a third of the
        scoring cost of (128, 128).
    max_iter : int, default=1000
        Training length in iterations (one D and one G update each). The cost of
        ``fit`` is bounded by it whatever the number of rows. Our choice.
    batch_size : int, default=128
        Training rows per iteration (clipped to ``n_samples``). The paper uses 16 on
        images; 128 is our choice for tabular data.
    lr_generator : float, default=2e-4
        Adam learning rate of G (paper's value).
    lr_discriminator : float, default=1e-4
        Adam learning rate of D (paper's value).
    betas : tuple of float, default=(0.0, 0.9)
        Adam's ``(beta1, beta2)`` for both networks (paper's value).
    buffer_size : int, default=1024
        Number of early generator samples kept as extra pseudo-anomalies (the
        paper's buffer; its size is our choice). 0 disables the buffer.
    buffer_fraction : float in (0, 1], default=0.1
        The buffer is filled evenly during the first ``buffer_fraction * max_iter``
        iterations. Our choice.
    scaling : {'standard', 'robust'} or None, default='standard'
        Input scaling fitted on the training rows and applied before G and D, so
        that the score does not depend on the units of the features:
        ``'standard'`` (mean / standard deviation), ``'robust'`` (median /
        inter-quartile range) or None (data used as given, up to one common power
        of two). Constant features get scale 1. Our choice.
    envelope : {'gmm', 'gaussian', 'box'} or None, default='gmm'
        Fixed term of D's logit, computed from the scaled training rows, that
        closes the decision region (our addition, see Notes). ``'gmm'`` adds
        ``envelope_weight`` times the log-density of a full-covariance Gaussian
        mixture (scikit-learn's :class:`~sklearn.mixture.GaussianMixture`, 1 to 10
        components chosen by AIC, covariances floored at 1e-3 of each feature's
        variance, fitted on at most 10,000 training rows drawn with
        ``random_state``, fewer with more than 40 features: at most
        ``16e6 / n_features**2``, which bounds the cost of its fit; with more than
        100 features, or fewer than
        ``n_features + 1`` rows, the ``'gaussian'`` envelope is used).
        ``'gaussian'`` subtracts ``envelope_weight / 2`` times the squared
        Mahalanobis distance (Ledoit-Wolf covariance, from at most 100,000
        training rows), i.e. adds a Gaussian log-density; ``'box'`` subtracts it
        only outside the per-feature training range; None trains a plain ALGAN
        discriminator, whose score can rank distant points as normal.
    envelope_weight : float >= 0, default=1.0
        Weight of the envelope; 0 disables it.
    contamination : 'auto' or float in (0, 0.5], default='auto'
        Expected fraction of outliers, which sets ``offset_``. With ``'auto'``,
        ``offset_`` is Tukey's lower fence ``Q1 - 1.5 * IQR`` of the training rows'
        scores (the box-plot outlier rule, as for the package's baselines): D's
        logit itself has no natural zero, because D sees more generated rows than
        real ones. With a float, ``offset_`` is that percentile of the training scores.
    device : {'cpu', 'cuda', 'mps', 'auto'} or torch.device, default='cpu'
        Where to train and score. ``'auto'`` uses CUDA when available; pass a
        ``torch.device('cuda:1')`` for a particular GPU. Stored as given; resolved
        in ``fit`` (``ValueError`` if CUDA is asked for but not available). The
        CPU is the default because these small MLPs train about as fast there.
    random_state : int, RandomState instance or None, default=None
        Seeds network initialisation, latent draws and shuffling through private
        generators; the global numpy and torch random states are left untouched.
    n_jobs : int, default=None
        CPU threads of ``fit`` and scoring. None means 1 (unless in a
        ``joblib.parallel_backend`` context), -1 all cores. ``fit``: torch's
        intra-op threads for training, and the threads of the mixture envelope's fit.
        Scoring: this many 2048-row tiles are scored at once, each by one torch
        thread, so scores do not depend on ``n_jobs``. One thread is the default
        because these small networks gain little from more, and more oversubscribe
        the cores when fits run in parallel (GridSearchCV, Dask) or other jobs keep
        them busy: then a fit with ``n_jobs > 1`` can be many times slower. Training
        results can differ in the last digits between thread counts (parallel
        reductions add in another order); scores of one fitted model do not. The
        caller's torch setting is restored afterwards. Ignored on GPUs.
    verbose : int, default=0
        0 is silent. 1 shows a progress bar with the current losses of D and G
        (tqdm, the ``progress`` extra), or about ten plain lines without tqdm.
        2 or more prints one line of losses per epoch.

    Attributes
    ----------
    generator_ : torch.nn.Module
        Trained generator, maps latents of shape (n, latent_dim) to scaled data.
    discriminator_ : torch.nn.Module
        Trained discriminator, maps scaled data to the logit (the score).
    feature_scale_ : ndarray of shape (n_features_in_,)
        Powers of two that inputs are divided by before ``scaler_`` (exact, so that
        values up to the float64 maximum scale without overflow).
    scaler_ : StandardScaler, RobustScaler or None
        Fitted input scaler (on ``X / feature_scale_``).
    offset_ : float
        Threshold subtracted from ``score_samples`` in ``decision_function``.
    history_ : dict of lists
        Per-epoch training record: ``epoch``, ``n_iter``, ``loss_d``, ``loss_g``,
        ``logit_real``, ``logit_fake``, ``logit_anomalous``.
    n_iter_ : int
        Number of training iterations run.
    device_ : torch.device
        The device resolved from ``device`` at fit time.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, defined only when ``X`` has string
        feature names.

    See Also
    --------
    algan_sklearn.KNNDetector : distance to the k-th nearest training row.
    algan_sklearn.ZScoreDetector : per-feature z-scores.
    sklearn.neighbors.LocalOutlierFactor : LOF, with ``novelty=True``.
    sklearn.ensemble.IsolationForest : Isolation Forest.

    Notes
    -----
    Choices of this package beyond the paper (which does not specify them): the
    per-sample latent mixture; D's loss (binary cross-entropy, training rows
    labelled 1 and every generated row 0, equal weights for fresh and buffered
    samples); the input scaling; and the form of D's logit,
    ``b + 3 * tanh(mlp(x) / 3) - envelope_weight / 2 * e(x)``, with a learned offset
    ``b``, a bounded network part and a fixed envelope ``e`` (``envelope``).

    Why the envelope: a plain discriminator's piecewise-linear logit keeps rising
    in some directions beyond the region its pseudo-anomalies cover, and when the
    generator's fake-normal samples are more concentrated than the data (mode
    collapse, common on tabular data), D learns that the data's core is "fake". On
    the ADBench sets both effects invert the ranking (measured: breastw AUROC 0.01
    without the envelope). With the envelope, D is trained as a correction of a
    fixed log-density (by default a Gaussian mixture, which follows data made of
    several clusters, where a single Gaussian ranks the empty space between them as
    normal): the network part moves a row's score by at most 3 either way, and any
    point far enough from the data, in any direction, scores below every training
    row. The benchmark results page reports the ablations, including the envelope
    alone: most of the ranking comes from the envelope.

    References
    ----------
    .. [1] H. Murase and K. Fukumizu, "ALGAN: Anomaly Detection by Generating
       Pseudo Anomalous Data via Latent Variables", IEEE Access, vol. 10,
       2022. arXiv:2202.10281.

    Examples
    --------
    >>> import numpy as np
    >>> from algan_sklearn import ALGANDetector
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 2))
    >>> det = ALGANDetector(max_iter=200, random_state=0).fit(X)
    >>> det.predict([[0.0, 0.0], [8.0, 8.0]])
    array([ 1, -1])
    """

    _parameter_constraints: dict = {
        **BaseDetector._parameter_constraints,
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, 1, closed="right")],
        "sigma": [Interval(Real, 0, MAX_SIGMA, closed="right")],
        "generator_hidden": ["array-like"],
        "discriminator_hidden": ["array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr_generator": [Interval(Real, 0, None, closed="neither")],
        "lr_discriminator": [Interval(Real, 0, None, closed="neither")],
        "betas": ["array-like"],
        "buffer_size": [Interval(Integral, 0, None, closed="left")],
        "buffer_fraction": [Interval(Real, 0, 1, closed="right")],
        "scaling": [StrOptions({"standard", "robust"}), None],
        "envelope": [StrOptions({"gmm", "gaussian", "box"}), None],
        "envelope_weight": [Interval(Real, 0, None, closed="left")],
        "device": [StrOptions({"auto", "cpu", "cuda", "mps"}), torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "n_jobs": [Interval(Integral, None, -1, closed="right"), Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        latent_dim=100,
        alpha=0.5,
        sigma=8.0,
        generator_hidden=(256, 256),
        discriminator_hidden=(64, 64),
        max_iter=1000,
        batch_size=128,
        lr_generator=2e-4,
        lr_discriminator=1e-4,
        betas=(0.0, 0.9),
        buffer_size=1024,
        buffer_fraction=0.1,
        scaling="standard",
        envelope="gmm",
        envelope_weight=1.0,
        contamination="auto",
        device="cpu",
        random_state=None,
        verbose=0,
        n_jobs=None,
    ):
        self.latent_dim = latent_dim
        self.alpha = alpha
        self.sigma = sigma
        self.generator_hidden = generator_hidden
        self.discriminator_hidden = discriminator_hidden
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.lr_generator = lr_generator
        self.lr_discriminator = lr_discriminator
        self.betas = betas
        self.buffer_size = buffer_size
        self.buffer_fraction = buffer_fraction
        self.scaling = scaling
        self.envelope = envelope
        self.envelope_weight = envelope_weight
        self.contamination = contamination
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the GAN on normal data ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows, assumed normal (novelty detection). Not modified.
        y : Ignored
            Present for API consistency.

        Returns
        -------
        self : ALGANDetector
            The fitted detector.

        Raises
        ------
        ValueError
            If ``X`` holds NaN or infinity, is not 2-D, is empty, or a parameter
            is invalid.
        TrainingDivergedError
            If a training loss becomes NaN or infinite.
        """
        # Parameters first: a fit that fails on them must leave no fitted attribute behind.
        generator_hidden = _positive_int_tuple(self.generator_hidden, "generator_hidden")
        discriminator_hidden = _positive_int_tuple(self.discriminator_hidden, "discriminator_hidden")
        betas = _check_betas(self.betas)
        device = resolve_device(self.device)
        X = validate_data(self, X, dtype=[np.float64, np.float32])

        # Exact power-of-two pre-scaling: values up to the float64 maximum are fitted
        # without overflow in the scaler's sums of squares, and units cancel exactly.
        # Row blocks keep fit's temporaries to a block, not a copy of X.
        max_abs = np.maximum(X.max(axis=0), -X.min(axis=0)).astype(np.float64)
        blocks = range(0, X.shape[0], SCORE_BATCH_SIZE)
        if self.scaling is None:  # one common factor: the geometry of the data is kept
            self.feature_scale_ = np.full(X.shape[1], pow2_scale(max_abs.max()))
            self.scaler_ = None
        elif self.scaling == "standard":
            self.feature_scale_ = pow2_scale(max_abs)
            self.scaler_ = StandardScaler()
            for start in blocks:  # a single block is exactly StandardScaler().fit
                self.scaler_.partial_fit(X[start : start + SCORE_BATCH_SIZE] / self.feature_scale_)
        else:
            self.feature_scale_ = pow2_scale(max_abs)
            self.scaler_ = RobustScaler().fit(X / self.feature_scale_)
        Xs = np.empty(X.shape, dtype=np.float32)
        for start in blocks:
            Xs[start : start + SCORE_BATCH_SIZE] = self._scale(X[start : start + SCORE_BATCH_SIZE])
        n_features = X.shape[1]

        seed = seed_from_random_state(check_random_state(self.random_state))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            generator = Generator(self.latent_dim, n_features, generator_hidden)
            discriminator = Discriminator(
                n_features,
                discriminator_hidden,
                envelope=_envelope(Xs, self.envelope, seed, self._n_threads(torch.device("cpu"))),
                envelope_weight=self.envelope_weight,
            )
        generator.to(device)
        discriminator.to(device)
        rng = torch.Generator(device=device)
        rng.manual_seed(seed)

        on_epoch = progress_callback(self.verbose, int(self.max_iter), type(self).__name__)
        with torch_threads(self._n_threads(device)):
            history = train_algan(
                generator,
                discriminator,
                torch.from_numpy(Xs).to(device),
                alpha=float(self.alpha),
                sigma=float(self.sigma),
                max_iter=int(self.max_iter),
                batch_size=int(self.batch_size),
                lr_generator=float(self.lr_generator),
                lr_discriminator=float(self.lr_discriminator),
                betas=betas,
                buffer_size=int(self.buffer_size),
                buffer_fraction=float(self.buffer_fraction),
                rng=rng,
                on_epoch=on_epoch,
            )
        self.history_ = history
        self.generator_ = generator
        self.discriminator_ = discriminator
        self.device_ = device
        self.n_iter_ = self.history_["n_iter"][-1]
        self._set_offset(X)
        return self

    def _scale(self, X, dtype=np.float32):
        """Scaled copy of ``X`` in ``dtype`` (every finite row stays finite)."""
        # One float64 work array, scaled in place (the same operations, in the same order,
        # for every row: (X / feature_scale_ - center) / scale).
        Z = np.array(X, dtype=np.float64, order="C", copy=True)
        with np.errstate(over="ignore", invalid="ignore"):
            Z /= self.feature_scale_
            if self.scaler_ is not None:
                center = getattr(self.scaler_, "mean_", None)
                if center is None:
                    center = self.scaler_.center_
                Z -= center
                Z /= self.scaler_.scale_
        # Rows beyond INPUT_CLAMP standard units are shrunk radially (direction kept), so
        # the score keeps falling along every ray and float32 never overflows. Two cheap
        # reductions decide whether any row needs it.
        if Z.size and (Z.max() > INPUT_CLAMP or Z.min() < -INPUT_CLAMP):
            np.clip(Z, -1e300, 1e300, out=Z)
            row_max = np.abs(Z).max(axis=1)
            far = row_max > INPUT_CLAMP
            Z[far] *= (INPUT_CLAMP / row_max[far])[:, None]
        return Z.astype(dtype, copy=False)

    def score_samples(self, X):
        """Opposite of the anomaly score: D's logit, higher = more normal.

        Runs D in eval mode, without gradients, in batches of
        ``SCORE_BATCH_SIZE`` rows; results do not depend on batch composition.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score. Not modified.

        Returns
        -------
        scores : ndarray of shape (n_samples,), float64
            D's logit; finite for every finite input. Rows farther than 1e4
            standard deviations from the training mean are shrunk radially to that
            distance before scoring, so beyond it scores along a ray stop falling
            (they tie) but never rise.

        Raises
        ------
        ValueError
            If ``X`` holds NaN or infinity or has a different number of features
            than the training data.
        """
        return super().score_samples(X)

    def _n_threads(self, device):
        """torch intra-op threads for CPU work: ``n_jobs`` resolved by joblib (None -> 1)."""
        if device.type != "cpu":
            return None
        return effective_n_jobs(self.n_jobs)

    def _score_samples(self, X):
        """``score_samples`` of validated ``X`` (also used in ``fit``)."""
        device = next(self.discriminator_.parameters()).device
        n_threads = self._n_threads(device)
        # On the CPU every tile is one single-threaded forward pass, and ``n_jobs`` tiles
        # run at once in a thread pool (torch releases the GIL): a 2048-row tile is too
        # small for torch's own threads to pay off, and every row is computed by the
        # same kernel whatever ``n_jobs``, so scores do not depend on it.
        with torch_threads(None if n_threads is None else 1):
            return self._score_tiles(X, n_threads or 1)

    def _score_tiles(self, X, n_workers=1):
        # D in its own dtype (float32), one forward pass per tile of exactly SCORE_TILE_ROWS
        # rows, copied into a preallocated buffer. A float32 matrix product rounds
        # differently for different numbers of rows, but for one fixed shape a row's result
        # does not depend on the other rows or on its place in the tile: every row gets the
        # same score whatever the batch, its composition or order.
        disc = self.discriminator_
        param = next(disc.parameters())
        device, dtype = param.device, param.dtype
        tile_rows = SCORE_TILE_ROWS
        n_samples = X.shape[0]
        out = np.empty(n_samples, dtype=np.float64)
        was_training = disc.training
        disc.eval()

        def run(chunk, first, tiles):
            # scores of the tiles number ``tiles`` of ``chunk`` (a scaled float32 tensor)
            with torch.inference_mode():
                tile = torch.empty((tile_rows, X.shape[1]), dtype=dtype, device=device)
                for t in tiles:
                    rows = chunk[t * tile_rows : (t + 1) * tile_rows]
                    n = rows.shape[0]
                    tile[:n] = rows
                    if n < tile_rows:
                        tile[n:] = 0.0
                    start = first + t * tile_rows
                    out[start : start + n] = disc(tile)[:n].cpu().numpy()

        try:
            pool = ThreadPoolExecutor(n_workers) if n_workers > 1 and n_samples > tile_rows else None
            try:
                for first in range(0, n_samples, SCORE_BATCH_SIZE):
                    chunk = torch.from_numpy(self._scale(X[first : first + SCORE_BATCH_SIZE])).to(device)
                    n_tiles = -(-chunk.shape[0] // tile_rows)
                    if pool is None or n_tiles == 1:
                        run(chunk, first, range(n_tiles))
                    else:
                        jobs = [pool.submit(run, chunk, first, range(w, n_tiles, n_workers)) for w in range(n_workers)]
                        for job in jobs:
                            job.result()
            finally:
                if pool is not None:
                    pool.shutdown()
        finally:
            disc.train(was_training)
        return out

    def sample(self, n_samples=1, *, state="normal", random_state=None):
        """Draw rows from the trained generator, in the units of the training data.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows.
        state : {'normal', 'anomalous'}, default='normal'
            ``'normal'`` draws latents from ``N(0, I)`` (fake-normal rows, which G
            was trained to make look like the training data); ``'anomalous'`` from
            ``N(0, sigma^2 I)`` (the pseudo-anomalies D was trained against).
        random_state : int, RandomState instance or None, default=None
            Seeds the latent draw (through a private torch generator).

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_), float64

        Raises
        ------
        ValueError
            If ``state`` is not one of the two names or ``n_samples`` < 1.
        """
        check_is_fitted(self)
        if state not in ("normal", "anomalous"):
            raise ValueError(f"state must be 'normal' or 'anomalous', got {state!r}")
        if not isinstance(n_samples, Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive int, got {n_samples!r}")
        gen = torch.Generator().manual_seed(seed_from_random_state(check_random_state(random_state)))
        z = torch.randn(int(n_samples), self.latent_dim, generator=gen)
        if state == "anomalous":
            z *= float(self.sigma)
        device = next(self.generator_.parameters()).device
        with torch.inference_mode():
            rows = self.generator_(z.to(device)).cpu().numpy().astype(np.float64)
        if self.scaler_ is not None:
            rows = self.scaler_.inverse_transform(rows)
        return rows * self.feature_scale_

    def __getstate__(self):
        state = self.__dict__.copy()
        for key in ("generator_", "discriminator_"):
            module = state.get(key)
            if module is not None and next(module.parameters()).device.type != "cpu":
                state[key] = copy.deepcopy(module).cpu()
        if "device_" in state:
            state["device_"] = torch.device("cpu") if state["device_"].type != "cpu" else state["device_"]
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
