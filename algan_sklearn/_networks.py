"""Generator and discriminator networks of ALGAN for feature vectors (torch only).

Both are multilayer perceptrons, as in the paper's "ALGAN-feature" setting
(Murase & Fukumizu, 2022). They work in the *standardised* input space: the
estimator scales inputs before they reach these modules.
"""

import torch
from torch import nn

#: Slope of the LeakyReLU activations (DCGAN convention, also used by the paper's networks).
LEAKY_SLOPE = 0.2
#: Bound on the discriminator network's raw logit: ``LOGIT_BOUND * tanh(raw / LOGIT_BOUND)``.
LOGIT_BOUND = 3.0
#: Standardised inputs are clamped to this magnitude before scoring, so that any finite
#: input gives a finite score in float32.
INPUT_CLAMP = 1.0e4


def _mlp(n_in, hidden, n_out):
    layers = []
    for width in hidden:
        layers += [nn.Linear(n_in, width), nn.LeakyReLU(LEAKY_SLOPE, inplace=True)]
        n_in = width
    layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)


class Generator(nn.Module):
    """MLP generator ``G: z -> x`` from ``latent_dim`` to ``n_features`` (linear output)."""

    def __init__(self, latent_dim, n_features, hidden):
        super().__init__()
        self.latent_dim = latent_dim
        self.net = _mlp(latent_dim, hidden, n_features)

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    """MLP discriminator whose output logit is the ALGAN score (higher = more normal).

    ``logit(x) = b + LOGIT_BOUND * tanh(mlp(x) / LOGIT_BOUND) - envelope_weight / 2 * e(x)``

    * ``b`` is a learned, unbounded offset;
    * the bounded network part is what adversarial training shapes: it can raise or
      lower the score by at most ``LOGIT_BOUND`` anywhere;
    * ``e(x) >= 0`` is a fixed envelope computed from the training rows:

      - ``'gaussian'``: ``e(x) = ||(x - center) @ whiten||^2``, the squared Mahalanobis
        distance (so the fixed part is a Gaussian log-density up to a constant);
      - ``'gmm'``: ``e(x) = -2 (log sum_k exp(logw_k - ||(x - means_k) @ whiten_k||^2 / 2) - lse0)``,
        minus twice a Gaussian-mixture log-density up to a constant, with
        ``logw_k = log(weight_k) + log|det whiten_k|`` and ``lse0 = logsumexp(logw)`` (so
        ``e >= 0``; with one component it is the squared Mahalanobis distance);
      - ``'box'``: ``e(x) = sum_j d_j(x)^2``, with ``d_j`` the distance of feature ``j``
        outside the training range ``[low_j, high_j]``.

    Because the network part is bounded and ``e`` grows without limit, the score of
    points far from the data decreases without limit in every direction: the decision
    region is closed, and no extrapolation of the network can rank a distant point as
    normal.

    Parameters
    ----------
    n_features : int
    hidden : tuple of int
    envelope : dict or None
        ``{"kind": "gaussian", "center": (d,), "whiten": (d, d)}``,
        ``{"kind": "gmm", "means": (k, d), "whiten": (k, d, d), "logw": (k,)}`` or
        ``{"kind": "box", "low": (d,), "high": (d,)}`` (array-likes); None for no envelope.
    envelope_weight : float
        Weight of the envelope (0 disables it).
    """

    def __init__(self, n_features, hidden, envelope=None, envelope_weight=1.0):
        super().__init__()
        self.net = _mlp(n_features, hidden, 1)
        self.bias = nn.Parameter(torch.zeros(()))
        self.envelope_kind = None if envelope is None or envelope_weight == 0 else envelope["kind"]
        self.envelope_weight = float(envelope_weight)
        if self.envelope_kind is not None:
            for key, value in envelope.items():
                if key != "kind":
                    self.register_buffer(key, torch.as_tensor(value, dtype=torch.float32).clone())
            if self.envelope_kind == "gmm":
                # All components in one matrix product: x @ whiten_flat - shift.
                k, d = self.means.shape
                whiten_flat = self.whiten.permute(1, 0, 2).reshape(d, k * d)
                self.register_buffer("whiten_flat", whiten_flat.contiguous())
                self.register_buffer("neg_shift", -torch.einsum("kd,kde->ke", self.means, self.whiten).reshape(-1))
                self.register_buffer("lse0", torch.logsumexp(self.logw, dim=0))
                # sums each component's d squares with one small matrix product
                self.register_buffer("block_sum", torch.repeat_interleave(torch.eye(k), d, dim=0))
                del self.whiten

    @property
    def envelope_components(self):
        """Number of Gaussian components of the envelope (0 for 'box' or none)."""
        if self.envelope_kind == "gmm":
            return int(self.logw.shape[0])
        return 1 if self.envelope_kind == "gaussian" else 0

    def envelope_term(self, x):
        """The fixed envelope ``e(x)`` of shape (n,), >= 0 (zeros when disabled)."""
        if self.envelope_kind == "gaussian":
            return ((x - self.center) @ self.whiten).square().sum(dim=-1)
        if self.envelope_kind == "gmm":
            y = torch.addmm(self.neg_shift, x, self.whiten_flat)  # (x - means_k) @ whiten_k, all k at once
            if self.logw.shape[0] == 1:  # one component: the squared Mahalanobis distance
                return (y * y).sum(dim=-1)
            m = (y * y) @ self.block_sum  # (n, k) squared Mahalanobis distances
            a = self.logw - 0.5 * m
            top = a.amax(dim=1, keepdim=True)
            # log-sum-exp; terms below e^-80 of the largest are dropped (they change the sum by
            # less than float32's resolution) so that exp never works on subnormal numbers,
            # which is slow on x86 CPUs
            rest = torch.exp((a - top).clamp(min=-80.0)).sum(dim=1)
            return -2.0 * (top.squeeze(1) + torch.log(rest) - self.lse0)
        if self.envelope_kind == "box":
            outside = torch.relu(x - self.high) + torch.relu(self.low - x)
            return outside.square().sum(dim=-1)
        return x.new_zeros(x.shape[0])

    def forward(self, x):
        x = x.clamp(-INPUT_CLAMP, INPUT_CLAMP)
        raw = self.net(x).squeeze(-1)
        logit = self.bias + LOGIT_BOUND * torch.tanh(raw / LOGIT_BOUND)
        if self.envelope_kind is not None:
            logit = logit - (0.5 * self.envelope_weight) * self.envelope_term(x)
        return logit
