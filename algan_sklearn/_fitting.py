"""Fitting ALGAN's networks: the cross-fitted layout, training, and D's weight in the score.

:func:`fit_networks` builds G (the kernel generator on the scaled training rows) and the
cross-fitted discriminators, trains them with :func:`~algan_sklearn._training.train_algan`,
builds the known density ``log n`` and weighs D by what held-out rows confirm
(:func:`discriminator_weight`).
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

from ._generator import KernelGenerator, KernelLogDensity, kernel_bandwidth, ledoit_wolf_whitening, sample_latents
from ._networks import Discriminator, fold_input_transform
from ._training import train_algan


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
    Xs,
    X_cal,
    *,
    seed,
    device,
    max_centres,
    bandwidth,
    whiten,
    hidden,
    logit_bound,
    train_params,
    head="binary",
    on_epoch=None,
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
    head : {'binary', 'ladder'}, default='binary'
        D's head: one logit (real against generated) or one output per class (real,
        fake-normal, pseudo-anomalous, buffered), trained with the cross-entropy.
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
        mean, matrix = whitening

        def whitened(rows):
            return ((rows.astype(np.float64) - mean) @ matrix).astype(np.float32)

        Xs = whitened(Xs)
        X_cal = None if X_cal is None else whitened(X_cal)
    centres, halves, centre_halves = cross_fit_layout(Xs.shape[0], max_centres, seed)
    h = kernel_bandwidth(Xs[centres].astype(np.float64), bandwidth)
    generator = KernelGenerator(Xs[centres], h).to(device)
    init = torch.Generator().manual_seed(seed)
    # ladder head: one output for the training rows, one per kind of negative (fake-normal,
    # pseudo-anomalous and, with a buffer, buffered rows)
    n_outputs = 1 if head == "binary" else 3 + (train_params["buffer_size"] > 0)
    discriminators = [
        Discriminator(Xs.shape[1], hidden, logit_bound, generator=init, n_outputs=n_outputs).to(device) for _ in halves
    ]
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
