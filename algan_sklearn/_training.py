"""The ALGAN training loop as plain functions (no scikit-learn here).

Implements the adversarial game of Murase & Fukumizu (2022), Sec. III, with a kernel
generator on the training rows whose output density is known (``_generator.py``):

* latents are drawn from ``alpha * N(0, I) + (1 - alpha) * N(0, sigma^2 I)``
  (per sample or per coordinate);
* two discriminators are cross-fitted: the training rows are split in two halves, and
  ``D_j`` labels the rows of half ``j`` 1 and every row generated around the centres of
  the other half 0 (fake-normal, pseudo-anomalous and rows of early generator states
  kept in a buffer), so that no real row of ``D_j`` sits on a kernel of its negatives;
* :func:`generator_step`: G (its shared scale) is trained with the non-saturating GAN
  loss of its normal-state rows against both discriminators;
* :func:`train_algan` alternates the two and keeps a per-epoch :class:`History`;
* :func:`discriminator_weight`: D's weight in the score, fitted on held-out rows.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

from ._generator import (
    KernelGenerator,
    KernelLogDensity,
    kernel_bandwidth,
    ledoit_wolf_whitening,
    sample_latents,
    sample_state,
)
from ._networks import Discriminator, fold_input_transform

#: Per-epoch fields of the training history (besides ``epoch`` and ``n_iter``).
HISTORY_KEYS = (
    "loss_d",
    "loss_g",
    "logit_real",
    "logit_fake",
    "logit_anomalous",
    "logit_buffer",
    "weight_change_d",
)


#: Fewest iterations of an epoch (a record of the history): small data sets would
#: otherwise spend more time on per-epoch bookkeeping than on training.
MIN_EPOCH_ITERATIONS = 20


class TrainingDivergedError(FloatingPointError):
    """Raised when a loss or a weight of the GAN becomes NaN or infinite during training."""


class History:
    """Per-epoch record of training: running sums over an epoch's iterations, then means.

    ``as_dict()`` gives lists keyed by ``epoch``, ``n_iter`` and :data:`HISTORY_KEYS`.
    """

    def __init__(self):
        self.records = []
        self._sums = {}
        self._counts = {}

    def add(self, **values):
        """Add one iteration's tensors (scalars); None values are skipped."""
        for key, value in values.items():
            if value is not None:
                self._sums[key] = self._sums.get(key, 0.0) + value.detach().float()
                self._counts[key] = self._counts.get(key, 0) + 1

    def end_epoch(self, epoch, n_iter, **extra):
        """Close the epoch: means of what was added, NaN for what was not; returns the record."""
        record = {"epoch": epoch, "n_iter": n_iter}
        for key in HISTORY_KEYS:
            if key in extra:
                record[key] = float(extra[key])
            elif key in self._sums:
                record[key] = float(self._sums[key]) / self._counts[key]
            else:
                record[key] = float("nan")
        self.records.append(record)
        self._sums, self._counts = {}, {}
        return record

    def as_dict(self):
        return {key: [r[key] for r in self.records] for key in ("epoch", "n_iter", *HISTORY_KEYS)}


def discriminator_step(stacked, opt_d, real, negatives):
    """One Adam step of every D's logistic loss: ``real`` labelled 1, each tensor of ``negatives`` 0.

    Tensors have a leading axis of one slice per discriminator (shape (J, n, d)); each
    group of negatives has the weight of the real rows (mean loss per group), and the
    discriminators' losses are summed (their weights are separate).

    Returns
    -------
    loss : torch.Tensor (scalar)
        Mean over the discriminators.
    logits : list of torch.Tensor of shape (J, n)
        Logits on ``real`` and on each group of ``negatives``, detached.
    """
    sizes = [real.shape[1]] + [neg.shape[1] for neg in negatives]
    logits = stacked(torch.cat([real, *negatives], dim=1)).split(sizes, dim=1)
    loss = F.softplus(-logits[0]).mean(dim=1)
    for group in logits[1:]:
        loss = loss + F.softplus(group).mean(dim=1)
    loss = loss.sum()
    opt_d.zero_grad(set_to_none=True)
    loss.backward()
    opt_d.step()
    return loss.detach() / real.shape[0], [group.detach() for group in logits]


def generator_step(generator, stacked, opt_g, z, components):
    """One Adam step of G's non-saturating loss ``softplus(-D_j(G(z)))``, averaged over ``j``.

    ``z`` (J, n, d) are normal-state latents and ``components`` (J, n) centres of the half
    that ``D_j`` does not see as real.
    """
    stacked.requires_grad_(False)  # no use for D's weight gradients here
    try:
        loss = F.softplus(-stacked(generator(z, components))).mean()
        opt_g.zero_grad(set_to_none=True)
        loss.backward()
        opt_g.step()
    finally:
        stacked.requires_grad_(True)
    return loss.detach()


def _flat_weights(module):
    return torch.cat([p.detach().reshape(-1) for p in module.parameters()])


def _draw(index, shape, rng):
    """Entries of the 1-D tensor ``index`` drawn uniformly with replacement, in ``shape``."""
    return index[torch.randint(int(index.numel()), shape, generator=rng, device=index.device)]


def train_algan(
    generator,
    discriminators,
    X,
    halves,
    centre_halves,
    *,
    alpha,
    sigma,
    mixing,
    max_iter,
    batch_size,
    lr_generator,
    lr_discriminator,
    betas,
    buffer_size,
    buffer_fraction,
    rng,
    on_epoch=None,
):
    """Train ``generator`` and ``discriminators`` in place on the rows of ``X``.

    Parameters
    ----------
    generator : KernelGenerator
    discriminators : list of Discriminator
        One per half (or a single one), on the device of ``X``; trained together as
        :class:`~algan_sklearn._networks.StackedDiscriminators`.
    X : torch.Tensor of shape (n_samples, n_features), float32
        Scaled training data (normal rows only).
    halves : list of torch.Tensor of int
        Rows of ``X`` that each discriminator labels real.
    centre_halves : list of torch.Tensor of int
        Indices of the generator's centres around which each discriminator's negatives
        are generated (those of the other half).
    alpha : float in (0, 1]
        Weight of the normal-state latent component.
    sigma : float
        Standard deviation of the anomalous-state latent component.
    mixing : {'sample', 'coordinate'}
    max_iter : int
        Training iterations (one update of every D and one of G each).
    batch_size : int
        Real rows per discriminator and iteration (clipped to the smaller half); as many
        rows are generated, and with a buffer as many rows of one kept state are drawn.
    lr_generator, lr_discriminator : float
    betas : tuple of float
    buffer_size : int
        Number of early generator states kept (0 disables the buffer).
    buffer_fraction : float in (0, 1]
        The states are taken evenly during the first ``buffer_fraction * max_iter``
        iterations, the first one before any update.
    rng : torch.Generator
        Private generator on the device of ``X``; the only source of randomness.
    on_epoch : callable, optional
        Called as ``on_epoch(record)`` after every epoch: as many iterations as batches
        in the larger half, and at least ``MIN_EPOCH_ITERATIONS``.

    Returns
    -------
    history : dict of lists
        Per epoch: ``epoch``, ``n_iter`` and the means over its iterations (and over the
        discriminators) of D's loss (``loss_d``), G's loss (``loss_g``), D's logit on
        training rows (``logit_real``), on fake-normal rows (``logit_fake``), on
        pseudo-anomalies (``logit_anomalous``) and on buffered rows (``logit_buffer``,
        NaN without a buffer); ``weight_change_d`` is the distance of D's weights from
        their initial values relative to the norm of the initial weights.
    buffer : list of torch.Tensor
        The kept early generator scales.

    Raises
    ------
    TrainingDivergedError
        If a loss or a weight becomes NaN or infinite.
    """
    from ._networks import StackedDiscriminators

    device = X.device
    n_features = X.shape[1]
    n_d = len(discriminators)
    stacked = StackedDiscriminators(discriminators).to(device)
    fused = device.type in ("cpu", "cuda")
    opt_g = torch.optim.Adam(generator.parameters(), lr=lr_generator, betas=betas, fused=fused)
    opt_d = torch.optim.Adam(stacked.parameters(), lr=lr_discriminator, betas=betas, fused=fused)
    w0 = _flat_weights(stacked)
    w0_norm = float(w0.norm()) or 1.0
    b = min(batch_size, min(int(h.numel()) for h in halves))
    n_normal = max(1, int(round(alpha * b)))
    iters_per_epoch = max(MIN_EPOCH_ITERATIONS, -(-max(int(h.numel()) for h in halves) // batch_size))

    collect_at = []
    if buffer_size > 0:
        n_collect = max(1, int(buffer_fraction * max_iter))
        collect_at = sorted({int(round(i * n_collect / buffer_size)) for i in range(buffer_size)})[:buffer_size]
    buffer = []
    history = History()
    generator.train()
    stacked.train()
    it = 0
    epoch = 0
    while it < max_iter:
        for _ in range(iters_per_epoch):
            if it >= max_iter:
                break
            if collect_at and it == collect_at[0]:
                buffer.append(generator.state())
                collect_at.pop(0)
            real = X[torch.stack([_draw(h, (b,), rng) for h in halves])]  # (J, b, d)
            pick = torch.stack([_draw(c, (b,), rng) for c in centre_halves])  # (J, b)
            z, anomalous = sample_latents(n_d * b, n_features, alpha, sigma, mixing, rng, device)
            z = z.view(n_d, b, n_features)
            anomalous = anomalous.view(n_d, b)
            with torch.no_grad():
                negatives = [generator(z, pick)]
                if buffer:
                    state = buffer[int(torch.randint(len(buffer), (1,), generator=rng, device=device))]
                    negatives.append(sample_state(generator.centres, state, pick, (n_d, b), rng))
            loss_d, logits = discriminator_step(stacked, opt_d, real, negatives)
            fake = logits[1]
            history.add(
                loss_d=loss_d,
                logit_real=logits[0].mean(),
                logit_fake=fake[~anomalous].mean() if bool((~anomalous).any()) else None,
                logit_anomalous=fake[anomalous].mean() if bool(anomalous.any()) else None,
                logit_buffer=logits[2].mean() if buffer else None,
            )
            z_normal = torch.randn(n_d, n_normal, n_features, generator=rng, device=device, dtype=torch.float32)
            history.add(loss_g=generator_step(generator, stacked, opt_g, z_normal, pick[:, :n_normal]))
            it += 1
        epoch += 1
        change = float((_flat_weights(stacked) - w0).norm()) / w0_norm
        record = history.end_epoch(epoch, it, weight_change_d=change)
        for key in ("loss_d", "loss_g"):
            if not math.isfinite(record[key]):
                raise TrainingDivergedError(
                    f"ALGAN training diverged at iteration {it} (epoch {epoch}): the "
                    f"{'discriminator' if key == 'loss_d' else 'generator'} loss is not finite. "
                    "Lower the learning rates or sigma, or scale the inputs."
                )
        if on_epoch is not None:
            on_epoch(record)

    for name, module in (("generator", generator), ("discriminator", stacked)):
        if not all(bool(torch.isfinite(p).all()) for p in module.parameters()):
            raise TrainingDivergedError(
                f"ALGAN training diverged: the {name}'s weights are not finite after "
                f"{it} iterations. Lower the learning rates or sigma, or scale the inputs."
            )
    stacked.unstack(discriminators)
    generator.eval()
    for d in discriminators:
        d.eval()
    return history.as_dict(), buffer


def discriminator_weight(discriminators, generator, centre_halves, rows, *, alpha, sigma, mixing, rng):
    """D's weight in the score, confirmed by held-out rows: ``w`` in [0, 1].

    A one-feature logistic regression ``c + w * D(x)`` of the held-out rows (label 1,
    ``D`` the mean of the discriminators) against fresh generated rows (label 0, four
    times as many, at least 512; each scored by the discriminator that did not see their
    centre's row as real): at the optimum of noise-contrastive estimation the logit is
    ``log p - log n``, so a discriminator that generalises gets ``w`` near 1 and one
    that learned its training rows gets less. The weight returned is the fitted one
    less ``CONFIRMATION_Z`` standard errors (from the Fisher information), clipped to
    [0, 1]: D enters only as far as the held-out rows confirm it.
    """
    n_neg = max(4 * rows.shape[0], 512) // len(discriminators)
    fake_logits = []
    with torch.no_grad():
        for disc, centres in zip(discriminators, centre_halves):
            z, _ = sample_latents(n_neg, rows.shape[1], alpha, sigma, mixing, rng, rows.device)
            pick = centres[torch.randint(int(centres.numel()), (n_neg,), generator=rng, device=rows.device)]
            fake_logits.append(disc(generator(z, pick)))
        a = torch.stack([d(rows) for d in discriminators]).mean(0).double().cpu()
        b = torch.cat(fake_logits).double().cpu()
    params = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([params], max_iter=100, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.softplus(-(params[0] + params[1] * a)).mean() + F.softplus(params[0] + params[1] * b).mean()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        feats = torch.cat([a, b])
        prob = torch.sigmoid(params[0] + params[1] * feats)
        v = prob * (1 - prob)
        # Fisher information of (c, w) over every row; the standard error of w from its inverse
        vf = (v * feats).sum()
        info = torch.stack([torch.stack([v.sum(), vf]), torch.stack([vf, (v * feats**2).sum()])])
        det = float(torch.linalg.det(info))
    w = float(params[1].detach())
    if not math.isfinite(w) or det <= 0:
        return 0.0
    se = math.sqrt(float(info[0, 0]) / det)
    return min(max(w - CONFIRMATION_Z * se, 0.0), 1.0)


#: D's weight is the fitted weight less this many standard errors (a lower confidence
#: bound): with few held-out rows D is trusted less.
CONFIRMATION_Z = 2.0
#: D's weight in the score when no rows are held out to confirm it.
UNCONFIRMED_WEIGHT = 0.5


def cross_fit_layout(n_samples, max_centres, seed):
    """Centres of G and the halves of the cross-fitted discriminators.

    The rows are split in two halves at random; the centres are all rows, or
    ``max_centres`` of them drawn at random. ``D_j`` sees the rows of half ``j`` as real
    and the rows generated around the centres of the other half as negatives. With fewer
    than 4 rows there is one D, which sees every row and every centre.

    Returns
    -------
    centres : ndarray of int
        Rows of the centres, sorted.
    halves : list of ndarray of int
        Real rows of each discriminator.
    centre_halves : list of ndarray of int
        Indices into ``centres`` of each discriminator's negatives.
    """
    rs = np.random.RandomState(seed)
    order = rs.permutation(n_samples)
    centres = np.sort(order[:max_centres]) if n_samples > max_centres else np.arange(n_samples)
    if n_samples < 4:
        return centres, [np.arange(n_samples)], [np.arange(centres.size)]
    half_of = np.empty(n_samples, dtype=np.int64)
    half_of[order] = np.arange(n_samples) % 2
    # every half must hold a centre: with few centres, split the centres themselves evenly
    centre_half = half_of[centres]
    if min(np.sum(centre_half == 0), np.sum(centre_half == 1)) == 0:
        centre_half = np.arange(centres.size) % 2
        half_of[centres] = centre_half
    halves = [np.flatnonzero(half_of == j) for j in (0, 1)]
    centre_halves = [np.flatnonzero(centre_half == 1 - j) for j in (0, 1)]
    return centres, halves, centre_halves


def fit_networks(
    Xs, X_cal, *, seed, device, max_centres, bandwidth, whiten, hidden, logit_bound, train_params, on_epoch=None
):
    """Build G and the cross-fitted Ds for the scaled training rows ``Xs``, train them, weigh D.

    G and D are built and trained from private generators seeded with ``seed``: the
    global random states are neither read nor changed, so fits in parallel threads
    agree with sequential ones.

    Parameters
    ----------
    Xs : ndarray of shape (n_samples, n_features), float32
    X_cal : ndarray of shape (n_calibration, n_features), float32, or None
        Scaled held-out rows that decide D's weight (:func:`discriminator_weight`);
        None: D's weight is ``UNCONFIRMED_WEIGHT``.
    seed : int
    device : torch.device
    max_centres : int
    bandwidth : float
        Factor of the median 5th-neighbour distance between centres (``h``).
    whiten : bool
        Train on rows whitened with their Ledoit-Wolf covariance
        (:func:`~algan_sklearn._generator.ledoit_wolf_whitening`): G's kernels then have the
        covariance's shape. The whitening is folded into D's first layer and into
        ``log n`` afterwards, so every returned module takes the scaled rows.
    hidden : tuple of int
    logit_bound : float
    train_params : dict
        Keyword arguments of :func:`train_algan` (``alpha``, ``sigma``, ``mixing``,
        ``max_iter``, ``batch_size``, learning rates, ``betas``, buffer settings).
    on_epoch : callable, optional

    Returns
    -------
    generator, discriminators, log_density, weights, history
        ``log_density`` is the :class:`~algan_sklearn._generator.KernelLogDensity` of
        every negative D saw (final generator and buffered states); ``weights`` the
        weight of each D in the score (D's confirmed weight shared equally).
    """
    whitening = None
    if whiten:
        whitening = ledoit_wolf_whitening(Xs.astype(np.float64))
        Xs = ((Xs.astype(np.float64) - whitening[0]) @ whitening[1]).astype(np.float32)
        if X_cal is not None:
            X_cal = ((X_cal.astype(np.float64) - whitening[0]) @ whitening[1]).astype(np.float32)
    centres, halves, centre_halves = cross_fit_layout(Xs.shape[0], max_centres, seed)
    h = kernel_bandwidth(Xs[centres].astype(np.float64), bandwidth)
    generator = KernelGenerator(Xs[centres], h).to(device)
    init = torch.Generator().manual_seed(seed)
    discriminators = [Discriminator(Xs.shape[1], hidden, logit_bound, generator=init).to(device) for _ in halves]
    rng = torch.Generator(device=device)
    rng.manual_seed(seed)
    X = torch.from_numpy(Xs).to(device)
    as_tensor = [[torch.from_numpy(a).to(device) for a in group] for group in (halves, centre_halves)]
    history, buffer = train_algan(
        generator, discriminators, X, *as_tensor, rng=rng, on_epoch=on_epoch, **train_params
    )
    # D sees as many buffered rows as freshly generated ones, so with a buffer the early
    # states carry half of the negatives' density.
    log_density = KernelLogDensity(
        generator.centres.cpu(),
        [generator.state().cpu()] + [s.cpu() for s in buffer],
        alpha=train_params["alpha"],
        sigma=train_params["sigma"],
        mixing=train_params["mixing"],
        buffer_weight=0.5 if buffer else 0.0,
        whitening=whitening,
    ).to(device)
    if X_cal is None or len(X_cal) == 0:
        weight = UNCONFIRMED_WEIGHT
    else:
        weight = discriminator_weight(
            discriminators,
            generator,
            as_tensor[1],
            torch.from_numpy(X_cal).to(device),
            alpha=train_params["alpha"],
            sigma=train_params["sigma"],
            mixing=train_params["mixing"],
            rng=rng,
        )
    weights = [weight / len(discriminators)] * len(discriminators)
    if whitening is not None:
        generator.whitening = whitening
        for disc in discriminators:
            fold_input_transform(disc, *whitening)
    return generator, discriminators, log_density, weights, history
