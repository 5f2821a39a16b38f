"""ALGANDetector: ALGAN anomaly detection as a scikit-learn outlier detector.

Parameters, validation and the fit/score wiring only; the networks live in
``_networks.py`` and the training loop in ``_training.py``.
"""

import copy
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real

import numpy as np
import torch
from joblib import effective_n_jobs
from sklearn.preprocessing import RobustScaler, StandardScaler
from sklearn.utils.validation import check_is_fitted

from ._base import BaseDetector, pow2_scale
from ._density import AffineMixtureGenerator, GeneratedLogDensity, sample_latents
from ._networks import INPUT_CLAMP, ALGANScore, Discriminator
from ._training import train_algan
from .utils._compat import Interval, StrOptions
from .utils._progress import progress_callback
from .utils._random import seed_from_random_state
from .utils._torch import resolve_device, torch_threads

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
#: The generator's initial fit uses at most this many training rows (drawn with the seed).
INIT_MAX_ROWS = 100_000
#: Held-out calibration rows: at least this many (at most a fifth of the rows for it, see ``_calibration_rows``) ...
MIN_CALIBRATION_ROWS = 50
#: ... and none when fewer than this many would be held out.
SMALLEST_CALIBRATION = 5


def _subsample(Xs, max_rows, seed):
    if Xs.shape[0] <= max_rows:
        return Xs
    rows = np.random.RandomState(seed).choice(Xs.shape[0], max_rows, replace=False)
    return Xs[np.sort(rows)]


def _calibration_rows(n_samples, fraction):
    """Number of training rows held out to set ``offset_`` (0: none)."""
    if fraction == 0:
        return 0
    # the share asked for, and at least MIN_CALIBRATION_ROWS (but never more than a fifth of the rows for that)
    n_cal = max(int(round(fraction * n_samples)), min(MIN_CALIBRATION_ROWS, n_samples // 5))
    return n_cal if n_cal >= SMALLEST_CALIBRATION else 0


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
    alpha : float in (0, 1], default=0.5
        Weight of the normal-state component ``N(0, I)`` in the latent mixture: the
        share of generated rows that are fake-normal. The rest are pseudo-anomalies;
        1 turns them off. 0.5 is our choice (the paper tunes it).
    sigma : float in (0, 1e30], default=2.0
        Standard deviation of the anomalous-state component ``N(0, sigma^2 I)``.
        The paper uses 4; 2 is our choice (see the user guide's parameter page).
    latent_mixing : {'sample', 'coordinate'}, default='sample'
        ``'sample'``: a fixed share ``alpha`` of every generated batch has normal-state
        latents, the rest anomalous-state ones (the paper's picture).
        ``'coordinate'``: each latent coordinate is anomalous-state with probability
        ``1 - alpha``, so pseudo-anomalies differ from normal rows in a few
        directions only.
    n_components : int >= 1, default=1
        Number of affine maps of the generator (mixture components). 1 starts it at
        the mean and Ledoit-Wolf covariance of the training rows; more start it at a
        full-covariance :class:`~sklearn.mixture.GaussianMixture` fit (at most one
        component per ``n_features + 1`` rows). Our choice.
    discriminator_hidden : tuple of int, default=(64, 64)
        Hidden layer widths of D's MLP (LeakyReLU 0.2). Our choice.
    logit_bound : float > 0, default=50.0
        Bound on the network part of D's logit: the score of a row differs from
        ``log n(x)`` by at most this much (plus D's learned offset). Our choice.
    max_iter : int, default=3000
        Training length in iterations (one D and one G update each). The cost of
        ``fit`` is bounded by it whatever the number of rows. Our choice.
    batch_size : int, default=128
        Training rows per iteration (clipped to the number of training rows). The
        paper uses 16 on images; 128 is our choice for tabular data.
    lr_generator : float, default=1e-4
        Adam learning rate of G. The paper uses 2e-4; our choice.
    lr_discriminator : float, default=1e-3
        Adam learning rate of D. The paper uses 1e-4; our choice.
    betas : tuple of float, default=(0.5, 0.9)
        Adam's ``(beta1, beta2)`` for both networks. The paper uses (0, 0.9); our choice.
    buffer_size : int, default=4
        Number of early generator states kept as a source of extra
        pseudo-anomalies (the paper keeps early generated samples; keeping the
        states instead is equivalent to an unlimited buffer of early samples and
        keeps the density of all negatives known). 0 disables the buffer.
    buffer_fraction : float in (0, 1], default=0.1
        The states are taken evenly during the first ``buffer_fraction * max_iter``
        iterations, the first one before training. Our choice.
    calibration_fraction : float in [0, 0.5], default=0.1
        Share of the training rows held out from training; ``offset_`` is set from
        their scores, so that thresholds carry over to new rows of the training
        distribution. At least 50 rows are held out, or a fifth of the rows if
        that is fewer; with fewer than 5 such rows (fewer than 25 training rows), or with 0,
        none are, and ``offset_`` comes from the training rows' scores, as in
        scikit-learn's detectors (a trained network scores its own rows high, so on
        small data that threshold flags many new rows). Our choice.
    scaling : {'standard', 'robust'} or None, default='standard'
        Input scaling fitted on the training rows and applied before G and D, so
        that the score does not depend on the units of the features:
        ``'standard'`` (mean / standard deviation), ``'robust'`` (median /
        inter-quartile range) or None (data used as given, up to one common power
        of two). Constant features get scale 1. Our choice.
    contamination : 'auto' or float in (0, 0.5], default='auto'
        Expected fraction of outliers among new normal-looking rows, which sets
        ``offset_`` from the held-out calibration rows' scores (the training rows'
        when none are held out). With ``'auto'``, ``offset_`` is Tukey's lower fence
        ``Q1 - 1.5 * IQR`` of those scores (the box-plot outlier rule, as for the
        package's baselines). With a float, ``offset_`` is that percentile of them.
    device : {'cpu', 'cuda', 'mps', 'auto'} or torch.device, default='cpu'
        Where to train and score. ``'auto'`` uses CUDA when available; pass a
        ``torch.device('cuda:1')`` for a particular GPU. Stored as given; resolved
        in ``fit`` (``ValueError`` if CUDA is asked for but not available). The
        CPU is the default because these small MLPs train about as fast there.
    random_state : int, RandomState instance or None, default=None
        Seeds network initialisation, latent draws and shuffling through private
        generators. None takes fresh entropy from the operating system (not numpy's
        global ``RandomState``, unlike scikit-learn's convention): the global numpy
        and torch random states are never read or changed.
    n_jobs : int, default=None
        CPU threads of ``fit`` and scoring. None means 1 (unless in a
        ``joblib.parallel_backend`` context), -1 all cores. ``fit``: torch's
        intra-op threads for training, and the threads of the generator's initial fit.
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
    generator_ : AffineMixtureGenerator
        Trained generator: ``generator_(z, components)`` maps latents of shape
        ``(n, n_features_in_)`` to scaled rows.
    discriminator_ : torch.nn.Module
        Trained discriminator: maps scaled rows to the logit that they are real.
    log_density_ : torch.nn.Module
        The known log-density ``log n(x)`` of all generated rows (final generator
        under the latent mixture, and the buffered early states) at scaled rows.
    score_network_ : torch.nn.Module
        ``discriminator_(x) + log_density_(x)``, the score of scaled rows.
    feature_scale_ : ndarray of shape (n_features_in_,)
        Powers of two that inputs are divided by before ``scaler_`` (exact, so that
        values up to the float64 maximum scale without overflow).
    scaler_ : StandardScaler, RobustScaler or None
        Fitted input scaler (on ``X / feature_scale_``).
    offset_ : float
        Threshold subtracted from ``score_samples`` in ``decision_function``.
    n_calibration_ : int
        Number of training rows held out to set ``offset_`` (0: none).
    calibration_scores_ : ndarray of shape (n_calibrated,)
        Scores of the ``n_calibration_`` held-out rows (of all training rows when
        none are held out): ``offset_`` is computed from them.
    reference_ : ndarray of shape (n_features_in_ - number of constant features,)
        The held-out row of highest score (a training row when none are held out):
        the reference of :func:`~algan_sklearn.inspection.feature_contributions`.
    constant_columns_ : ConstantColumns
        Which training columns are constant and the values seen in them
        (:ref:`constant_columns`); the networks see the other columns only.
    history_ : dict of lists
        Per-epoch training record: ``epoch``, ``n_iter``, ``loss_d``, ``loss_g``,
        D's mean logit on training rows (``logit_real``), fake-normal rows
        (``logit_fake``), pseudo-anomalies (``logit_anomalous``) and buffered rows
        (``logit_buffer``), and ``weight_change_d``, the distance of D's weights from
        their initial values relative to their initial norm. A discriminator that
        learns shows ``logit_real`` above the others and a growing weight change.
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
    Choices of this package beyond the paper (which does not specify them); the user
    guide gives the measurements behind each.

    * The generator is a mixture of affine maps ``G(z, k) = mean_k + L_k z``, started
      at a regularised Gaussian(-mixture) fit of the training rows and refined
      adversarially. Its latents have the dimension of the data, so the density
      ``n(x)`` of everything it generates is known in closed form.
    * D is trained with the logistic loss: training rows labelled 1, generated rows
      (fake-normal and pseudo-anomalous together) 0, and buffered rows 0, each group
      with the weight of the training rows.
    * The score is ``s(x) = D(x) + log n(x)``. At its optimum D's logit is
      ``log p(x) - log n(x) + const`` for data of density ``p``, so ``s`` estimates
      ``log p(x)`` (noise-contrastive estimation [2]_). D's network part is bounded
      and ``log n`` falls quadratically in every direction, so any point far enough
      from the data scores below every training row.
    * ``offset_`` is set from held-out rows (``calibration_fraction``).

    References
    ----------
    .. [1] H. Murase and K. Fukumizu, "ALGAN: Anomaly Detection by Generating
       Pseudo Anomalous Data via Latent Variables", IEEE Access, vol. 10,
       2022. arXiv:2202.10281.
    .. [2] M. Gutmann and A. Hyvarinen, "Noise-contrastive estimation: A new
       estimation principle for unnormalized statistical models", AISTATS 2010.

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
        "alpha": [Interval(Real, 0, 1, closed="right")],
        "sigma": [Interval(Real, 0, MAX_SIGMA, closed="right")],
        "latent_mixing": [StrOptions({"sample", "coordinate"})],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "discriminator_hidden": ["array-like"],
        "logit_bound": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr_generator": [Interval(Real, 0, None, closed="neither")],
        "lr_discriminator": [Interval(Real, 0, None, closed="neither")],
        "betas": ["array-like"],
        "buffer_size": [Interval(Integral, 0, None, closed="left")],
        "buffer_fraction": [Interval(Real, 0, 1, closed="right")],
        "calibration_fraction": [Interval(Real, 0, 0.5, closed="both")],
        "scaling": [StrOptions({"standard", "robust"}), None],
        "device": [StrOptions({"auto", "cpu", "cuda", "mps"}), torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "n_jobs": [Interval(Integral, None, -1, closed="right"), Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        alpha=0.5,
        sigma=2.0,
        latent_mixing="sample",
        n_components=1,
        discriminator_hidden=(64, 64),
        logit_bound=50.0,
        max_iter=3000,
        batch_size=128,
        lr_generator=1e-4,
        lr_discriminator=1e-3,
        betas=(0.5, 0.9),
        buffer_size=4,
        buffer_fraction=0.1,
        calibration_fraction=0.1,
        scaling="standard",
        contamination="auto",
        device="cpu",
        random_state=None,
        verbose=0,
        n_jobs=None,
    ):
        self.alpha = alpha
        self.sigma = sigma
        self.latent_mixing = latent_mixing
        self.n_components = n_components
        self.discriminator_hidden = discriminator_hidden
        self.logit_bound = logit_bound
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.lr_generator = lr_generator
        self.lr_discriminator = lr_discriminator
        self.betas = betas
        self.buffer_size = buffer_size
        self.buffer_fraction = buffer_fraction
        self.calibration_fraction = calibration_fraction
        self.scaling = scaling
        self.contamination = contamination
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    _fit_dtype = (np.float64, np.float32)

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
        return super().fit(X, y)

    def _check_params(self):
        # Before the data: a fit that fails on them must leave no fitted attribute behind.
        _positive_int_tuple(self.discriminator_hidden, "discriminator_hidden")
        _check_betas(self.betas)
        resolve_device(self.device)

    def _fit(self, X):
        discriminator_hidden = _positive_int_tuple(self.discriminator_hidden, "discriminator_hidden")
        betas = _check_betas(self.betas)
        device = resolve_device(self.device)
        self._fit_scaling(X)

        seed = seed_from_random_state(self.random_state)
        n_cal = _calibration_rows(X.shape[0], float(self.calibration_fraction))
        order = np.random.RandomState(seed).permutation(X.shape[0]) if n_cal else None
        train_rows = np.sort(order[n_cal:]) if n_cal else slice(None)
        Xs = self._scale_in_blocks(X[train_rows])

        # Training sets what it needs locally: gradients on (also inside the caller's
        # torch.no_grad() or torch.inference_mode()); every tensor is float32 whatever
        # torch's default dtype.
        with torch_threads(self._n_threads(device)), torch.inference_mode(False), torch.enable_grad():
            generator, discriminator, history, buffer = self._train(Xs, seed, device, discriminator_hidden, betas)
        self.history_ = history
        self.generator_ = generator
        self.discriminator_ = discriminator
        self.log_density_ = self._generated_log_density(generator, buffer).to(device)
        self.score_network_ = ALGANScore(discriminator, self.log_density_).eval()
        self.device_ = device
        self.n_iter_ = self.history_["n_iter"][-1]
        self.n_calibration_ = n_cal
        calibration = X[np.sort(order[:n_cal])] if n_cal else X
        self.calibration_scores_ = self._score_samples(calibration)
        self.reference_ = np.asarray(calibration[int(np.argmax(self.calibration_scores_))], dtype=np.float64)
        self._set_offset_from_scores(self.calibration_scores_)
        return self

    def _train(self, Xs, seed, device, discriminator_hidden, betas):
        """Build G and D for the scaled training rows ``Xs`` and train them (``_training.py``).

        G and D are built and trained from private generators seeded with ``seed``: the
        global random states are neither read nor changed, so fits in parallel threads
        agree with sequential ones.
        """
        generator = AffineMixtureGenerator.from_data(
            _subsample(Xs, INIT_MAX_ROWS, seed),
            n_components=int(self.n_components),
            seed=seed,
            n_threads=self._n_threads(torch.device("cpu")),
        )
        discriminator = Discriminator(
            Xs.shape[1], discriminator_hidden, float(self.logit_bound), generator=torch.Generator().manual_seed(seed)
        )
        generator.to(device)
        discriminator.to(device)
        rng = torch.Generator(device=device)
        rng.manual_seed(seed)
        history, buffer = train_algan(
            generator,
            discriminator,
            torch.from_numpy(Xs).to(device),
            alpha=float(self.alpha),
            sigma=float(self.sigma),
            mixing=self.latent_mixing,
            max_iter=int(self.max_iter),
            batch_size=int(self.batch_size),
            lr_generator=float(self.lr_generator),
            lr_discriminator=float(self.lr_discriminator),
            betas=betas,
            buffer_size=int(self.buffer_size),
            buffer_fraction=float(self.buffer_fraction),
            rng=rng,
            on_epoch=progress_callback(self.verbose, int(self.max_iter), type(self).__name__),
        )
        return generator, discriminator, history, buffer

    def _generated_log_density(self, generator, buffer):
        """``log n(x)`` of every negative D saw: the final generator and the buffered states.

        D sees as many buffered rows as freshly generated ones, so with a buffer the
        early states carry half of the negatives' density.
        """
        states = [generator.state()] + list(buffer)
        return GeneratedLogDensity(
            [(m.double().cpu(), t.double().cpu(), torch.log(p.double().cpu())) for m, t, p in states],
            alpha=float(self.alpha),
            sigma=float(self.sigma),
            mixing=self.latent_mixing,
            buffer_weight=0.5 if buffer else 0.0,
        )

    def _fit_scaling(self, X):
        """Fit ``feature_scale_`` and ``scaler_`` on the validated training rows ``X``."""
        # Exact power-of-two pre-scaling: values up to the float64 maximum are fitted
        # without overflow in the scaler's sums of squares, and units cancel exactly.
        # Row blocks keep fit's temporaries to a block, not a copy of X.
        max_abs = np.maximum(X.max(axis=0), -X.min(axis=0)).astype(np.float64)
        if self.scaling is None:  # one common factor: the geometry of the data is kept
            self.feature_scale_ = np.full(X.shape[1], pow2_scale(max_abs.max()))
            self.scaler_ = None
        elif self.scaling == "standard":
            self.feature_scale_ = pow2_scale(max_abs)
            self.scaler_ = StandardScaler()
            for start in range(0, X.shape[0], SCORE_BATCH_SIZE):  # a single block is exactly StandardScaler().fit
                self.scaler_.partial_fit(X[start : start + SCORE_BATCH_SIZE] / self.feature_scale_)
        else:
            self.feature_scale_ = pow2_scale(max_abs)
            self.scaler_ = RobustScaler().fit(X / self.feature_scale_)

    def _scale_in_blocks(self, X):
        """Scaled float32 copy of ``X``, computed in row blocks (bounded temporaries)."""
        Xs = np.empty(X.shape, dtype=np.float32)
        for start in range(0, X.shape[0], SCORE_BATCH_SIZE):
            Xs[start : start + SCORE_BATCH_SIZE] = self._scale(X[start : start + SCORE_BATCH_SIZE])
        return Xs

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
        device = next(self.score_network_.parameters()).device
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
        disc = self.score_network_
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

    def _score_contributions(self, X):
        """Integrated gradients of the score of validated ``X`` from ``reference_`` (``inspection.py``).

        On the scaled rows, with float64 copies of the networks: exact for D, whose
        network part is piecewise linear along the path (``_attribution.py``), and
        Gauss-Legendre quadrature with 64 nodes for the smooth ``log n``. The scaling
        acts on each feature separately, so the contribution of a scaled feature is
        that of the input feature.
        """
        from ._attribution import discriminator_attributions
        from .inspection import integrated_gradients

        discriminator = copy.deepcopy(self.discriminator_).cpu().double().eval()
        log_density = copy.deepcopy(self.log_density_).cpu().double().eval()

        def log_density_gradient(Z):
            Z = torch.from_numpy(Z).requires_grad_(True)
            log_density(Z).sum().backward()
            return Z.grad.numpy()

        reference = self._scale(self.reference_[None], np.float64)[0]
        out = np.empty(X.shape, dtype=np.float64)
        with torch_threads(1), torch.inference_mode(False), torch.enable_grad():
            for start in range(0, X.shape[0], 256):  # bounds the (rows, breakpoints, width) arrays
                Z = self._scale(X[start : start + 256], np.float64)
                out[start : start + len(Z)] = discriminator_attributions(
                    discriminator, Z, reference
                ) + integrated_gradients(log_density_gradient, Z, reference, n_steps=64)
        return out, float(self._score_samples(self.reference_[None])[0])

    def pvalues(self, X):
        """Conformal p-values of the rows of ``X`` against the held-out calibration rows.

        ``p(x) = (1 + #{calibration rows scoring at most s(x)}) / (n_calibration_ + 1)``
        (Bates et al., Annals of Statistics, 2023): for a new row drawn like the
        training rows, ``P(p(x) <= a) <= a`` for every ``a``. Combine with
        :func:`algan_sklearn.conformal.benjamini_hochberg` to flag rows at a chosen
        false discovery rate.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        pvalues : ndarray of shape (n_samples,), float64
            In ``[1 / (n_calibration_ + 1), 1]``; small for anomalous rows.

        Raises
        ------
        ValueError
            If no training rows were held out (``calibration_fraction=0`` or fewer
            than 25 training rows): scores of the rows the model was fitted on do
            not give valid p-values.
        """
        from .conformal import conformal_pvalues

        check_is_fitted(self)
        if self.n_calibration_ == 0:
            raise ValueError(
                "pvalues needs rows held out from training: fit with calibration_fraction > 0 on at least 25 rows."
            )
        return conformal_pvalues(self.calibration_scores_, self.score_samples(X))

    def sample(self, n_samples=1, *, state="normal", random_state=None):
        """Draw rows from the trained generator, in the units of the training data.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows.
        state : {'normal', 'anomalous'}, default='normal'
            ``'normal'`` draws latents from ``N(0, I)`` (fake-normal rows, which G
            was trained to make look like the training data); ``'anomalous'`` from
            ``N(0, sigma^2 I)`` with ``latent_mixing='sample'``, and from the
            per-coordinate mixture with ``'coordinate'`` (the pseudo-anomalies D was
            trained against).
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
        gen = torch.Generator().manual_seed(seed_from_random_state(random_state))
        generator = self.generator_
        device = generator.means.device
        n = int(n_samples)
        if state == "normal":
            z = torch.randn(n, generator.n_features, generator=gen, dtype=torch.float32)
        elif self.latent_mixing == "sample":
            z = float(self.sigma) * torch.randn(n, generator.n_features, generator=gen, dtype=torch.float32)
        else:
            z, _ = sample_latents(
                n, generator.n_features, float(self.alpha), float(self.sigma), "coordinate", gen, "cpu"
            )
        with torch.inference_mode():
            comp = generator.sample_components(n, gen).to(device)
            rows = generator(z.to(device), comp).cpu().numpy().astype(np.float64)
        if self.scaler_ is not None:
            rows = self.scaler_.inverse_transform(rows)
        return self.constant_columns_.insert(rows * self.feature_scale_)

    def __getstate__(self):
        state = self.__dict__.copy()
        keys = [k for k in ("generator_", "discriminator_", "log_density_", "score_network_") if k in state]
        tensors = [t for k in keys for t in (*state[k].parameters(), *state[k].buffers())]
        if any(t.device.type != "cpu" for t in tensors):
            # one deepcopy keeps the modules shared between attributes shared
            moved = copy.deepcopy([state[k] for k in keys])
            for k, module in zip(keys, moved):
                state[k] = module.cpu()
        if "device_" in state:
            state["device_"] = torch.device("cpu") if state["device_"].type != "cpu" else state["device_"]
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
