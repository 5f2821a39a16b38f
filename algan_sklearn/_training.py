"""The ALGAN training loop as plain functions (no scikit-learn here).

Implements the adversarial game of Murase & Fukumizu (2022), Sec. III, with a
generator whose output density is known (``_density.py``):

* latents are drawn from ``alpha * N(0, I) + (1 - alpha) * N(0, sigma^2 I)``
  (per sample or per coordinate);
* :func:`discriminator_step`: D labels training rows 1 and every generated row 0:
  fake-normal, pseudo-anomalous (wide latents) and rows of early generator states
  kept in a buffer;
* :func:`generator_step`: G is trained with the non-saturating GAN loss on its
  normal-state samples only;
* :func:`train_algan` alternates the two and keeps a per-epoch history.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

from ._density import AffineMixtureGenerator, GeneratedLogDensity, sample_latents
from ._networks import Discriminator

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


class TrainingDivergedError(FloatingPointError):
    """Raised when a loss or a weight of the GAN becomes NaN or infinite during training."""


def _sample_state(state, n, rng):
    """``n`` rows of a kept generator state, normal-state latents."""
    means, tril, probs = state
    z = torch.randn(n, means.shape[1], generator=rng, device=means.device, dtype=means.dtype)
    if means.shape[0] == 1:
        return means[0] + z @ tril[0].T
    comp = torch.multinomial(probs, n, replacement=True, generator=rng)
    return means[comp] + torch.einsum("nij,nj->ni", tril[comp], z)


def discriminator_step(discriminator, opt_d, real, negatives):
    """One Adam step of D's logistic loss: ``real`` labelled 1, each tensor of ``negatives`` 0.

    Each group of negatives has the weight of the real rows (mean loss per group).

    Returns
    -------
    loss : torch.Tensor (scalar)
    logits : list of torch.Tensor
        D's logits on ``real`` and on each group of ``negatives``, detached.
    """
    sizes = [real.shape[0]] + [neg.shape[0] for neg in negatives]
    logits = discriminator(torch.cat([real, *negatives])).split(sizes)
    loss = F.softplus(-logits[0]).mean()
    for group in logits[1:]:
        loss = loss + F.softplus(group).mean()
    opt_d.zero_grad(set_to_none=True)
    loss.backward()
    opt_d.step()
    return loss.detach(), [group.detach() for group in logits]


def generator_step(generator, discriminator, opt_g, z, components):
    """One Adam step of G's non-saturating loss ``softplus(-D(G(z)))`` on normal-state latents ``z``."""
    discriminator.requires_grad_(False)  # no use for D's weight gradients here
    try:
        loss = F.softplus(-discriminator(generator(z, components))).mean()
        opt_g.zero_grad(set_to_none=True)
        loss.backward()
        opt_g.step()
    finally:
        discriminator.requires_grad_(True)
    return loss.detach()


def _flat_weights(module):
    return torch.cat([p.detach().reshape(-1) for p in module.parameters()])


def train_algan(
    generator,
    discriminator,
    X,
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
    """Train ``generator`` and ``discriminator`` in place on the rows of ``X``.

    Parameters
    ----------
    generator : AffineMixtureGenerator
    discriminator : Discriminator
        Both already on the device of ``X``.
    X : torch.Tensor of shape (n_samples, n_features), float32
        Scaled training data (normal rows only).
    alpha : float in (0, 1]
        Weight of the normal-state latent component.
    sigma : float
        Standard deviation of the anomalous-state latent component.
    mixing : {'sample', 'coordinate'}
        Whether latents mix per sample or per coordinate.
    max_iter : int
        Number of training iterations (one D update and one G update each).
    batch_size : int
        Rows of training data per iteration; clipped to ``n_samples``. Each iteration
        also generates ``batch_size`` rows and, with a buffer, draws ``batch_size``
        rows of one kept early generator state.
    lr_generator, lr_discriminator : float
    betas : tuple of float
        Adam's ``(beta1, beta2)`` for both optimisers.
    buffer_size : int
        Number of early generator states kept (0 disables the buffer).
    buffer_fraction : float in (0, 1]
        The states are taken evenly during the first ``buffer_fraction * max_iter``
        iterations, the first one before any update.
    rng : torch.Generator
        Private generator on the device of ``X``; the only source of randomness.
    on_epoch : callable, optional
        Called as ``on_epoch(record)`` after every epoch with the epoch's record.

    Returns
    -------
    history : dict of lists
        Per epoch: ``epoch``, ``n_iter`` and the means over its iterations of D's loss
        (``loss_d``), G's loss (``loss_g``), D's logit on training rows
        (``logit_real``), on fake-normal rows (``logit_fake``), on pseudo-anomalies
        (``logit_anomalous``) and on buffered rows (``logit_buffer``, NaN without a
        buffer); ``weight_change_d`` is the distance of D's weights from their initial
        values relative to the norm of the initial weights, at the end of the epoch.
    buffer : list of tuple of torch.Tensor
        The kept early generator states ``(means, scale_tril, probabilities)``.

    Raises
    ------
    TrainingDivergedError
        If a loss or a weight becomes NaN or infinite.
    """
    device = X.device
    n_samples, n_features = X.shape
    batch_size = min(batch_size, n_samples)
    n_normal = max(1, int(round(alpha * batch_size)))

    fused = device.type in ("cpu", "cuda")
    opt_g = torch.optim.Adam(generator.parameters(), lr=lr_generator, betas=betas, fused=fused)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=lr_discriminator, betas=betas, fused=fused)
    w0 = _flat_weights(discriminator)
    w0_norm = float(w0.norm()) or 1.0

    buffer = []
    if buffer_size > 0:
        n_collect = max(1, int(buffer_fraction * max_iter))
        collect_at = {int(round(i * n_collect / buffer_size)) for i in range(buffer_size)}
        collect_at = sorted(collect_at)[:buffer_size]
    else:
        collect_at = []

    history = {"epoch": [], "n_iter": [], **{k: [] for k in HISTORY_KEYS}}
    generator.train()
    discriminator.train()
    nan = float("nan")
    it = 0
    epoch = 0
    while it < max_iter:
        perm = torch.randperm(n_samples, generator=rng, device=device)
        sums = torch.zeros(6, device=device, dtype=torch.float32)
        n_steps = 0
        for start in range(0, n_samples, batch_size):
            if it >= max_iter:
                break
            if collect_at and it == collect_at[0]:
                buffer.append(generator.state())
                collect_at.pop(0)
            real = X[perm[start : start + batch_size]]

            z, anomalous = sample_latents(batch_size, n_features, alpha, sigma, mixing, rng, device)
            with torch.no_grad():
                fake = generator(z, generator.sample_components(batch_size, rng))
            negatives = [fake]
            if buffer:
                pick = int(torch.randint(len(buffer), (1,), generator=rng, device=device))
                negatives.append(_sample_state(buffer[pick], batch_size, rng))
            loss_d, logits = discriminator_step(discriminator, opt_d, real, negatives)

            z_normal = torch.randn(n_normal, n_features, generator=rng, device=device, dtype=torch.float32)
            loss_g = generator_step(
                generator, discriminator, opt_g, z_normal, generator.sample_components(n_normal, rng)
            )

            l_fake = logits[1]
            zero = l_fake.new_zeros(())
            sums += torch.stack(
                [
                    loss_d,
                    loss_g,
                    logits[0].mean(),
                    l_fake[~anomalous].mean() if bool((~anomalous).any()) else zero,
                    l_fake[anomalous].mean() if bool(anomalous.any()) else zero,
                    logits[2].mean() if buffer else zero,
                ]
            )
            n_steps += 1
            it += 1

        epoch += 1
        means = (sums / n_steps).tolist()
        if not all(math.isfinite(v) for v in means[:2]):
            raise TrainingDivergedError(
                f"ALGAN training diverged at iteration {it} (epoch {epoch}): the "
                f"{'discriminator' if not math.isfinite(means[0]) else 'generator'} loss "
                "is not finite. Lower the learning rates or sigma, or scale the inputs."
            )
        if not buffer:
            means[5] = nan
        change = float((_flat_weights(discriminator) - w0).norm()) / w0_norm
        history["epoch"].append(epoch)
        history["n_iter"].append(it)
        for k, v in zip(HISTORY_KEYS, [*means, change]):
            history[k].append(v)
        if on_epoch is not None:
            on_epoch({k: history[k][-1] for k in history})

    for name, module in (("generator", generator), ("discriminator", discriminator)):
        if not all(bool(torch.isfinite(p).all()) for p in module.parameters()):
            raise TrainingDivergedError(
                f"ALGAN training diverged: the {name}'s weights are not finite after "
                f"{it} iterations. Lower the learning rates or sigma, or scale the inputs."
            )
    generator.eval()
    discriminator.eval()
    return history, buffer


#: The generator's initial fit uses at most this many training rows (drawn with the seed).
INIT_MAX_ROWS = 100_000
#: Held-out calibration rows: at least this many (at most a fifth of the rows for it) ...
MIN_CALIBRATION_ROWS = 50
#: ... and none when fewer than this many would be held out.
SMALLEST_CALIBRATION = 5


def calibration_rows(n_samples, fraction):
    """Number of training rows held out to set ``offset_`` (0: none).

    The share asked for, and at least ``MIN_CALIBRATION_ROWS`` (but never more than a
    fifth of the rows for that); none if that is fewer than ``SMALLEST_CALIBRATION``.
    """
    if fraction == 0:
        return 0
    n_cal = max(int(round(fraction * n_samples)), min(MIN_CALIBRATION_ROWS, n_samples // 5))
    return n_cal if n_cal >= SMALLEST_CALIBRATION else 0


def subsample(Xs, max_rows, seed):
    """At most ``max_rows`` rows of ``Xs``, drawn with ``seed``, in their order."""
    if Xs.shape[0] <= max_rows:
        return Xs
    rows = np.random.RandomState(seed).choice(Xs.shape[0], max_rows, replace=False)
    return Xs[np.sort(rows)]


def fit_networks(Xs, *, seed, device, n_threads, n_components, hidden, logit_bound, train_params, on_epoch=None):
    """Build G and D for the scaled training rows ``Xs``, train them, and return the score's parts.

    G and D are built and trained from private generators seeded with ``seed``: the
    global random states are neither read nor changed, so fits in parallel threads
    agree with sequential ones.

    Parameters
    ----------
    Xs : ndarray of shape (n_samples, n_features), float32
    seed : int
    device : torch.device
    n_threads : int or None
        Threads of the generator's initial fit.
    n_components : int
    hidden : tuple of int
    logit_bound : float
    train_params : dict
        Keyword arguments of :func:`train_algan` (``alpha``, ``sigma``, ``mixing``,
        ``max_iter``, ``batch_size``, learning rates, ``betas``, buffer settings).
    on_epoch : callable, optional

    Returns
    -------
    generator, discriminator, log_density, history
        ``log_density`` is the :class:`~algan_sklearn._density.GeneratedLogDensity`
        of every negative D saw (final generator and buffered states).
    """
    generator = AffineMixtureGenerator.from_data(
        subsample(Xs, INIT_MAX_ROWS, seed), n_components=n_components, seed=seed, n_threads=n_threads
    )
    discriminator = Discriminator(Xs.shape[1], hidden, logit_bound, generator=torch.Generator().manual_seed(seed))
    generator.to(device)
    discriminator.to(device)
    rng = torch.Generator(device=device)
    rng.manual_seed(seed)
    history, buffer = train_algan(
        generator, discriminator, torch.from_numpy(Xs).to(device), rng=rng, on_epoch=on_epoch, **train_params
    )
    # D sees as many buffered rows as freshly generated ones, so with a buffer the early
    # states carry half of the negatives' density.
    states = [generator.state()] + list(buffer)
    log_density = GeneratedLogDensity(
        [(m.double().cpu(), t.double().cpu(), torch.log(p.double().cpu())) for m, t, p in states],
        alpha=train_params["alpha"],
        sigma=train_params["sigma"],
        mixing=train_params["mixing"],
        buffer_weight=0.5 if buffer else 0.0,
    ).to(device)
    return generator, discriminator, log_density, history
