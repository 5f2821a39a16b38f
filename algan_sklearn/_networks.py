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
LOGIT_BOUND = 10.0
#: Standardised inputs are clamped to this magnitude before scoring, so that any finite
#: input gives a finite score in float32.
INPUT_CLAMP = 1.0e4


def _mlp(n_in, hidden, n_out):
    layers = []
    for width in hidden:
        layers += [nn.Linear(n_in, width), nn.LeakyReLU(LEAKY_SLOPE)]
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

    The logit is ``LOGIT_BOUND * tanh(mlp(x) / LOGIT_BOUND) - support_penalty * e(x)``
    where ``e(x) = sum_j d_j(x)^2`` and ``d_j(x)`` is how far feature ``j`` lies outside
    the training range ``[low_j, high_j]`` (0 inside). The bounded network part keeps
    the learned ranking inside the data; the fixed quadratic term closes the decision
    region, so the score of far points decreases without limit in every direction.

    Parameters
    ----------
    n_features : int
    hidden : tuple of int
    low, high : torch.Tensor of shape (n_features,)
        Per-feature range of the standardised training data.
    support_penalty : float
        Weight of the quadratic out-of-range term (0 disables it).
    """

    def __init__(self, n_features, hidden, low, high, support_penalty):
        super().__init__()
        self.net = _mlp(n_features, hidden, 1)
        self.register_buffer("low", torch.as_tensor(low, dtype=torch.float32).clone())
        self.register_buffer("high", torch.as_tensor(high, dtype=torch.float32).clone())
        self.support_penalty = float(support_penalty)

    def forward(self, x):
        x = x.clamp(-INPUT_CLAMP, INPUT_CLAMP)
        raw = self.net(x).squeeze(-1)
        logit = LOGIT_BOUND * torch.tanh(raw / LOGIT_BOUND)
        if self.support_penalty > 0:
            outside = torch.relu(x - self.high) + torch.relu(self.low - x)
            logit = logit - self.support_penalty * outside.square().sum(dim=-1)
        return logit
