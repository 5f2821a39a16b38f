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
* :func:`train_algan` alternates the two and keeps a per-epoch :class:`History`.

Building the networks, the cross-fitted layout and D's weight: ``_fitting.py``.
"""

import math

import torch
import torch.nn.functional as F

from ._generator import sample_latents, sample_state

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


def discriminator_step(stacked, opt_d, real, negatives, classes=None):
    """One Adam step of every D's loss: ``real`` labelled 1 (real), each tensor of ``negatives`` 0.

    Tensors have a leading axis of one slice per discriminator (shape (J, n, d)); each
    group of negatives has the weight of the real rows (mean loss per group), and the
    discriminators' losses are summed (their weights are separate). With the binary
    head the loss is logistic; with the ladder head it is the cross-entropy over classes,
    ``classes`` giving each negative row's class (one tensor of shape (J, n) per group;
    the real rows are class 0).

    Returns
    -------
    loss : torch.Tensor (scalar)
        Mean over the discriminators.
    logits : list of torch.Tensor of shape (J, n)
        D's logits on ``real`` and on each group of ``negatives``, detached.
    """
    sizes = [real.shape[1]] + [neg.shape[1] for neg in negatives]
    outputs = stacked.outputs(torch.cat([real, *negatives], dim=1))
    logits = stacked.logit(outputs).split(sizes, dim=1)
    if stacked.n_outputs == 1:
        loss = F.softplus(-logits[0]).mean(dim=1)
        for group in logits[1:]:
            loss = loss + F.softplus(group).mean(dim=1)
    else:
        labels = torch.cat([torch.zeros_like(classes[0][:, :1]).expand(-1, real.shape[1]), *classes], dim=1)
        per_row = F.cross_entropy(outputs.transpose(1, 2), labels, reduction="none")  # (J, n)
        loss = sum(group.mean(dim=1) for group in per_row.split(sizes, dim=1))
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
            classes = None
            if stacked.n_outputs > 1:  # ladder: 1 fake-normal, 2 pseudo-anomalous, 3 buffered
                classes = [1 + anomalous.long()] + ([torch.full_like(pick, 3)] if buffer else [])
            loss_d, logits = discriminator_step(stacked, opt_d, real, negatives, classes)
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
