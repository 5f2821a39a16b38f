"""The ALGAN training loop as a plain function (no scikit-learn here).

Implements the adversarial game of Murase & Fukumizu (2022), Sec. III:

* latents are drawn from ``alpha * N(0, I) + (1 - alpha) * N(0, sigma^2 I)``
  (per sample: a fixed fraction ``alpha`` of every generated batch is normal-state);
* G is trained with the non-saturating GAN loss on its normal-state samples only;
* D is trained to label training rows 1 and every generated row 0: fake-normal,
  pseudo-anomalous (wide latents) and samples kept in a buffer from early training.
"""

import math

import torch
import torch.nn.functional as F


class TrainingDivergedError(FloatingPointError):
    """Raised when a loss or a weight of the GAN becomes NaN or infinite during training."""


def _sample_latents(n, n_normal, latent_dim, sigma, gen, device):
    z = torch.randn(n, latent_dim, generator=gen, device=device)
    z[n_normal:] *= sigma
    return z


def train_algan(
    generator,
    discriminator,
    X,
    *,
    alpha,
    sigma,
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
    generator, discriminator : torch.nn.Module
        Already on the device of ``X``.
    X : torch.Tensor of shape (n_samples, n_features), float32
        Standardised training data (normal rows only).
    alpha : float in (0, 1]
        Fraction of normal-state latents in each generated batch.
    sigma : float
        Standard deviation of the anomalous-state latent component.
    max_iter : int
        Number of training iterations (one D update and one G update each).
    batch_size : int
        Rows of training data per iteration; clipped to ``n_samples``. Each iteration
        also generates ``batch_size`` samples and draws ``batch_size`` buffered ones.
    lr_generator, lr_discriminator : float
    betas : tuple of float
        Adam's ``(beta1, beta2)`` for both optimisers.
    buffer_size : int
        Capacity of the early-sample buffer (0 disables it).
    buffer_fraction : float in (0, 1]
        The buffer is filled evenly during the first ``buffer_fraction * max_iter`` iterations.
    rng : torch.Generator
        Private generator on the device of ``X``; the only source of randomness.
    on_epoch : callable, optional
        Called as ``on_epoch(record)`` after every epoch with the epoch's record.

    Returns
    -------
    history : dict of lists
        Per-epoch ``epoch``, ``n_iter``, ``loss_d``, ``loss_g``, and the mean discriminator
        logit on training rows (``logit_real``), fake-normal samples (``logit_fake``) and
        pseudo-anomalies (``logit_anomalous``).

    Raises
    ------
    TrainingDivergedError
        If a loss becomes NaN or infinite.
    """
    device = X.device
    n_samples = X.shape[0]
    batch_size = min(batch_size, n_samples)
    latent_dim = generator.latent_dim
    n_normal = max(1, int(round(alpha * batch_size)))

    fused = device.type in ("cpu", "cuda")
    opt_g = torch.optim.Adam(generator.parameters(), lr=lr_generator, betas=betas, fused=fused)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=lr_discriminator, betas=betas, fused=fused)

    use_buffer = buffer_size > 0
    if use_buffer:
        n_collect = max(1, int(buffer_fraction * max_iter))
        per_collect = math.ceil(buffer_size / n_collect)
        buffer = torch.empty(buffer_size, X.shape[1], device=device)
        filled = 0

    keys = ("loss_d", "loss_g", "logit_real", "logit_fake", "logit_anomalous")
    history = {"epoch": [], "n_iter": [], **{k: [] for k in keys}}
    generator.train()
    discriminator.train()

    it = 0
    epoch = 0
    while it < max_iter:
        perm = torch.randperm(n_samples, generator=rng, device=device)
        sums = torch.zeros(len(keys), device=device)
        n_steps = 0
        for start in range(0, n_samples, batch_size):
            if it >= max_iter:
                break
            real = X[perm[start : start + batch_size]]
            n_real = real.shape[0]

            if use_buffer and it < n_collect and filled < buffer_size:
                with torch.no_grad():
                    k = min(per_collect, buffer_size - filled)
                    z = torch.randn(k, latent_dim, generator=rng, device=device)
                    buffer[filled : filled + k] = generator(z)
                    filled += k

            # --- discriminator step: real = 1, every generated sample = 0
            z = _sample_latents(batch_size, n_normal, latent_dim, sigma, rng, device)
            with torch.no_grad():
                fake = generator(z)
            parts = [real, fake]
            if use_buffer:
                idx = torch.randint(filled, (batch_size,), generator=rng, device=device)
                parts.append(buffer[idx])
            logits = discriminator(torch.cat(parts))
            l_real = logits[:n_real]
            l_fake = logits[n_real : n_real + batch_size]
            loss_d = F.softplus(-l_real).mean() + F.softplus(l_fake).mean()
            if use_buffer:
                loss_d = loss_d + F.softplus(logits[n_real + batch_size :]).mean()
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()

            # --- generator step: normal-state samples should look like training data
            fake_normal = generator(z[:n_normal])
            discriminator.requires_grad_(False)  # no use for D's weight gradients here
            l_gen = discriminator(fake_normal)
            loss_g = F.softplus(-l_gen).mean()
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
            discriminator.requires_grad_(True)

            with torch.no_grad():
                sums += torch.stack(
                    [
                        loss_d.detach(),
                        loss_g.detach(),
                        l_real.detach().mean(),
                        l_fake[:n_normal].detach().mean(),
                        l_fake[n_normal:].detach().mean() if n_normal < batch_size else l_fake.new_zeros(()),
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
        history["epoch"].append(epoch)
        history["n_iter"].append(it)
        for k, v in zip(keys, means):
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
    return history
