"""ALGANDetector: ALGAN anomaly detection as a scikit-learn outlier detector.

Parameters and the fit/score wiring only. Where each step lives: validation, held-out
rows and constant columns in ``_base.py``, ``_calibration.py``, ``_constant.py``; input
scaling in ``_scaling.py``; G and ``log n`` in ``_generator.py``; D and the score
network ``log n + w D`` in ``_networks.py``; training in ``_training.py`` and
``_fitting.py``; explanations in ``_attribution.py``.
"""

from numbers import Integral, Real

import numpy as np
import torch
from joblib import effective_n_jobs
from sklearn.utils.validation import check_is_fitted

from ._base import BaseDetector
from ._fitting import fit_networks
from ._networks import ALGANScore, score_in_tiles
from ._scaling import fit_scaling, scale_in_blocks, scale_rows, unscale_rows
from .utils._compat import Interval, StrOptions
from .utils._memory import warn_if_quadratic
from .utils._progress import progress_callback
from .utils._random import seed_from_random_state
from .utils._torch import resolve_device, state_on_cpu, torch_threads
from .utils._validation import check_betas, check_positive_int_tuple

#: Largest accepted ``sigma``: latents are float32 (max ~3.4e38), and the generator's
#: outputs for wider latents overflow.
MAX_SIGMA = 1e30


class ALGANDetector(BaseDetector):
    """Anomaly detection by generating pseudo-anomalous data via latent variables (ALGAN).

    A GAN is trained on normal data. Latents are drawn from the mixture
    ``alpha * N(0, I) + (1 - alpha) * N(0, sigma^2 I)``. The generator G is a kernel
    generator on the training rows, ``G(z, k) = c_k + h * exp(l) * z`` with centres
    ``c_k`` (training rows, at most ``max_centres``) and a shared per-feature scale refined
    adversarially: the normal-state part of the latents gives rows that imitate the
    training set, the wide, anomalous-state part pseudo-anomalous rows around every region
    of the data. Two discriminators, cross-fitted on two halves of the rows, learn to
    separate training rows from everything generated (fake-normal, pseudo-anomalous, and
    rows of early generator states). The density ``n(x)`` of everything generated is
    known, and the score is ``log n(x) + w * D(x)``, an estimate of the training data's
    log-density (noise-contrastive estimation), where the weight ``w`` in [0, 1] is what
    held-out rows confirm of D: one forward pass per row. Method: Murase & Fukumizu
    (2022), Sec. III, with the choices listed in the User Guide (:doc:`/user_guide/method`,
    :doc:`/user_guide/paper_differences`).

    Read more in the User Guide (:doc:`/user_guide/parameters`).

    Parameters
    ----------
    alpha : float in (0, 1], default=0.5
        Weight of the normal-state component ``N(0, I)`` of the latent mixture: the
        share of fake-normal rows among the generated ones; 1 turns pseudo-anomalies off.
    sigma : float in (0, 1e30], default=2.0
        Standard deviation of the anomalous-state component ``N(0, sigma^2 I)``
        (the paper uses 4).
    latent_mixing : {'sample', 'coordinate'}, default='sample'
        ``'sample'``: a share ``alpha`` of every generated batch has normal-state
        latents, the rest anomalous-state ones. ``'coordinate'``: each latent
        coordinate is anomalous-state with probability ``1 - alpha``.
    max_centres : int >= 1, default=1024
        Most training rows used as G's centres (drawn at random when there are more):
        bounds the cost of ``log n``, hence of scoring.
    bandwidth : float > 0, default=0.5
        G's initial scale ``h`` as a factor of the median distance of a centre to its
        5th nearest other centre (in scaled units).
    kernel_shape : {'auto', 'diagonal', 'covariance'}, default='auto'
        Shape of G's kernels: per-feature (``'diagonal'``) or that of the training
        rows' Ledoit-Wolf covariance (``'covariance'``: G and D work on whitened rows).
        ``'auto'`` takes ``'covariance'`` when there are at least as many features as
        training rows (embeddings), where Euclidean distances between rows are
        dominated by directions the data barely vary in.
    discriminator_head : {'binary', 'ladder'}, default='binary'
        ``'binary'``: D has one logit, real against generated. ``'ladder'``: one output
        per class (training rows, fake-normal rows, pseudo-anomalies, buffered rows),
        trained with the cross-entropy, and D's logit is the first output less the
        log-sum-exp of the others (multinomial density-ratio estimation).
    discriminator_hidden : tuple of int, default=(64, 64)
        Hidden layer widths of D's MLP (LeakyReLU 0.2).
    logit_bound : float > 0, default=50.0
        Bound on the network part of D's logit: the score differs from ``log n(x)``
        by at most this much plus D's learned offset.
    max_iter : int, default=1000
        Training iterations (one update of each D and one of G each); bounds the cost
        of ``fit``.
    batch_size : int, default=128
        Training rows per iteration (clipped to the number of training rows).
    lr_generator, lr_discriminator : float, default=1e-3, 1e-3
        Adam learning rates of G (its per-feature log-scale) and D.
    betas : tuple of float, default=(0.5, 0.9)
        Adam's ``(beta1, beta2)`` for both networks.
    buffer_size : int, default=0
        Early generator states kept as a source of extra negatives (the paper keeps
        early generated samples); 0 disables the buffer. Off by default: G only
        refines a scale, so its early states are close to the final one, the buffer
        measured no gain in accuracy, and each state adds a term per centre to ``log n``
        (:doc:`/user_guide/paper_differences`).
    buffer_fraction : float in (0, 1], default=0.1
        The states are taken evenly during the first ``buffer_fraction * max_iter``
        iterations, the first one before training.
    calibration_fraction : float in [0, 0.5], default=0.1
        Share of the training rows held out from training (the rule of every detector,
        ``BaseDetector.fit``); D's weight, ``offset_`` and :meth:`pvalues` use them. At
        least 50 rows (or a fifth of the rows); none with 0 or under 25 rows, and then
        ``offset_`` comes from the training rows' scores.
    scaling : {'standard', 'robust'} or None, default='standard'
        Input scaling fitted on the training rows: mean / standard deviation, median /
        inter-quartile range, or None (one common power of two).
    contamination : 'auto' or float in (0, 0.5], default='auto'
        Sets ``offset_`` from the held-out rows' scores: Tukey's lower fence
        ``Q1 - 1.5 * IQR`` with ``'auto'``, else that percentile, so that about that
        share of new normal rows is flagged.
    device : {'cpu', 'cuda', 'mps', 'auto'}, str or torch.device, default='cpu'
        Where to train and score: ``'auto'`` (CUDA when available), or any device
        torch understands (``'cuda:1'``, ``torch.device('cpu')``); resolved in ``fit``
        (``ValueError`` naming the value if it is not a device or is unavailable).
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, latent draws and the held-out split through private
        generators. None takes fresh entropy from the operating system (unlike
        scikit-learn's convention): numpy's and torch's global random states are
        never read or changed.
    n_jobs : int, default=None
        CPU threads of ``fit`` (torch's intra-op threads) and of scoring (tiles
        scored at once; scores do not depend on it). None means 1, -1 all cores.
        The caller's torch setting is restored afterwards. Ignored on GPUs.
    verbose : int, default=0
        0 is silent; 1 shows a progress bar (tqdm) or about ten lines; 2 prints one
        line of losses per epoch.

    Attributes
    ----------
    generator_ : KernelGenerator
        Trained G: ``generator_(z, centres)`` maps latents to scaled rows.
    discriminators_ : torch.nn.ModuleList
        The cross-fitted discriminators: logits that scaled rows are real.
    discriminator_weight_ : float
        D's weight ``w`` in the score, fitted on the held-out rows (0.5 without them).
    log_density_ : torch.nn.Module
        ``log n(x)`` of all generated rows (final G and the buffered states).
    score_network_ : torch.nn.Module
        ``log_density_(x) + w * mean_j discriminators_[j](x)``, the score of scaled rows.
    feature_scale_ : ndarray of shape (n_features_used,)
        Powers of two that inputs are divided by before ``scaler_`` (exact).
        ``n_features_used`` counts the non-constant features.
    scaler_ : StandardScaler, RobustScaler or None
        Fitted input scaler (on ``X / feature_scale_``).
    offset_ : float
        Threshold subtracted from ``score_samples`` in ``decision_function``.
    n_calibration_ : int
        Number of training rows held out (0: none).
    calibration_scores_ : ndarray of shape (n_calibration_,)
        Scores of the held-out rows (of the training rows when none are held out).
    reference_ : ndarray of shape (n_features_used,)
        The held-out row of highest score: the reference of
        :func:`~algan_sklearn.inspection.feature_contributions`.
    constant_columns_ : ConstantColumns
        The constant training columns and their values (:ref:`constant_columns`).
    history_ : dict of lists
        Per-epoch record: ``epoch``, ``n_iter``, ``loss_d``, ``loss_g``, D's mean
        logit on training rows (``logit_real``), fake-normal rows (``logit_fake``),
        pseudo-anomalies (``logit_anomalous``) and buffered rows (``logit_buffer``),
        and ``weight_change_d`` (distance of D's weights from their initial values,
        relative to their norm).
    n_iter_ : int
        Number of training iterations run.
    device_ : torch.device
        The device resolved from ``device``.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined only when ``X`` has string feature names.

    See Also
    --------
    algan_sklearn.KNNDetector : distance to the k-th nearest training row.
    algan_sklearn.ZScoreDetector : per-feature z-scores.
    sklearn.neighbors.LocalOutlierFactor : LOF, with ``novelty=True``.
    sklearn.ensemble.IsolationForest : Isolation Forest.

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
        "max_centres": [Interval(Integral, 1, None, closed="left")],
        "bandwidth": [Interval(Real, 0, None, closed="neither")],
        "kernel_shape": [StrOptions({"auto", "diagonal", "covariance"})],
        "discriminator_head": [StrOptions({"binary", "ladder"})],
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
        "device": [str, torch.device],  # names checked by torch.device in _check_params ('cuda:1')
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
        max_centres=1024,
        bandwidth=0.5,
        kernel_shape="auto",
        discriminator_head="binary",
        discriminator_hidden=(64, 64),
        logit_bound=50.0,
        max_iter=1000,
        batch_size=128,
        lr_generator=1e-3,
        lr_discriminator=1e-3,
        betas=(0.5, 0.9),
        buffer_size=0,
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
        self.max_centres = max_centres
        self.bandwidth = bandwidth
        self.kernel_shape = kernel_shape
        self.discriminator_head = discriminator_head
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

    def _check_params(self):
        # Before the data: a fit that fails on them must leave no fitted attribute behind.
        check_positive_int_tuple(self.discriminator_hidden, "discriminator_hidden")
        check_betas(self.betas)
        resolve_device(self.device)

    def _fit(self, X, X_calibration):
        device = resolve_device(self.device)
        self.feature_scale_, self.scaler_ = fit_scaling(X, self.scaling)
        seed = seed_from_random_state(self.random_state)
        Xs = scale_in_blocks(X, self.feature_scale_, self.scaler_)
        train_params = {
            "alpha": float(self.alpha),
            "sigma": float(self.sigma),
            "mixing": self.latent_mixing,
            "max_iter": int(self.max_iter),
            "batch_size": int(self.batch_size),
            "lr_generator": float(self.lr_generator),
            "lr_discriminator": float(self.lr_discriminator),
            "betas": tuple(float(b) for b in self.betas),  # checked in _check_params
            "buffer_size": int(self.buffer_size),
            "buffer_fraction": float(self.buffer_fraction),
        }
        # Training sets what it needs locally: gradients on (also inside the caller's
        # torch.no_grad() or torch.inference_mode()); every tensor is float32 whatever
        # torch's default dtype.
        X_cal = None if X_calibration is None else scale_in_blocks(X_calibration, self.feature_scale_, self.scaler_)
        whiten = self.kernel_shape == "covariance" or (self.kernel_shape == "auto" and Xs.shape[1] >= Xs.shape[0])
        if whiten:  # measured: about 8 d x d float64 matrices at the peak (whitening, folding into D and log n)
            warn_if_quadratic(
                Xs.shape[1],
                8,
                "ALGANDetector's covariance-shaped kernels (kernel_shape='covariance', or 'auto' with at least as "
                "many features as training rows)",
                "Use kernel_shape='diagonal', or reduce the features first (e.g. PCA in a Pipeline).",
                stacklevel=6,
            )
        with torch_threads(self._n_threads(device)), torch.inference_mode(False), torch.enable_grad():
            fitted = fit_networks(
                Xs,
                X_cal,
                seed=seed,
                device=device,
                max_centres=int(self.max_centres),
                bandwidth=float(self.bandwidth),
                whiten=whiten,
                hidden=tuple(int(h) for h in self.discriminator_hidden),
                logit_bound=float(self.logit_bound),
                train_params=train_params,
                head=self.discriminator_head,
                on_epoch=progress_callback(self.verbose, int(self.max_iter), type(self).__name__),
            )
        self.generator_, discriminators, self.log_density_, weights, self.history_ = fitted
        self.discriminator_weight_ = float(sum(weights))
        self.score_network_ = ALGANScore(discriminators, weights, self.log_density_).eval()
        self.discriminators_ = self.score_network_.discriminators
        self.device_ = device
        self.n_iter_ = self.history_["n_iter"][-1]
        # the held-out row of highest score (the training row without held-out rows)
        reference = X if X_calibration is None else X_calibration
        self.reference_ = np.asarray(reference[int(np.argmax(self._score_samples(reference)))], dtype=np.float64)
        return self

    def _n_threads(self, device):
        """torch intra-op threads for CPU work: ``n_jobs`` resolved by joblib (None -> 1)."""
        if device.type != "cpu":
            return None
        return effective_n_jobs(self.n_jobs)

    def _score_block(self, X):
        # On the CPU every tile is one single-threaded forward pass, and ``n_jobs`` tiles
        # run at once: a tile is too small for torch's own threads to pay off.
        device = next(self.score_network_.parameters()).device
        n_threads = self._n_threads(device)
        Z = torch.from_numpy(self._scale(X)).to(device)
        with torch_threads(None if n_threads is None else 1):
            return score_in_tiles(self.score_network_, Z, n_threads or 1)

    def _scale(self, X, dtype=np.float32):
        """Scaled rows of validated, non-constant-column ``X`` (what G and D see)."""
        return scale_rows(X, self.feature_scale_, self.scaler_, dtype)

    def _score_contributions(self, X):
        from ._attribution import algan_contributions

        return algan_contributions(self, X)

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
            Constant training columns hold their training value.

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
        if not self.constant_columns_.keep.any():  # every column constant: the training point
            return self.constant_columns_.insert(np.empty((int(n_samples), 0)))
        gen = torch.Generator().manual_seed(seed_from_random_state(random_state))
        # the fitted latent mixture (not the parameters, which set_params may have changed since)
        fitted_alpha = self.log_density_.alpha
        alpha = 1.0 if state == "normal" else 0.0 if self.log_density_.mixing == "sample" else fitted_alpha
        density = self.log_density_
        rows = self.generator_.sample(int(n_samples), alpha=alpha, sigma=density.sigma, mixing=density.mixing, rng=gen)
        return self.constant_columns_.insert(unscale_rows(rows, self.feature_scale_, self.scaler_))

    def __getstate__(self):
        # pickles load on machines without the training device
        return state_on_cpu(self.__dict__, ("generator_", "discriminators_", "log_density_", "score_network_"))
