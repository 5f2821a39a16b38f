"""The generator of ALGAN and the known density of everything it generates (torch only).

The generator is a mixture of affine maps ``G(z, k) = mean_k + L_k z`` (``L_k`` lower
triangular with a positive diagonal), so the density of its output is known in closed
form for any latent distribution with a known density. ALGAN draws latents from
``alpha * N(0, I) + (1 - alpha) * N(0, sigma^2 I)``; the density ``n(x)`` of all
generated rows (fake-normal and pseudo-anomalous, plus the early generator states of
the buffer) is what the discriminator is trained against, and adding ``log n(x)`` back
to the discriminator's logit turns the density ratio it learns into a log-density of
the training data (noise-contrastive estimation, Gutmann & Hyvarinen 2010).
"""

import math
import warnings

import numpy as np
import torch
from sklearn import config_context
from sklearn.covariance import LedoitWolf
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits
from torch import nn

#: Covariance regularisation of the generator's initial fit, relative to each feature's variance.
REG_COVAR = 1e-3
#: Smallest eigenvalue of a component's covariance, relative to its largest (numerical floor).
EIGEN_FLOOR = 1e-6
_LOG_2PI = math.log(2.0 * math.pi)


def _fit_mixture(X64, n_components, seed, n_threads):
    """Means, covariances and weights of the initial generator, from scaled rows ``X64``.

    One component: mean and Ledoit-Wolf covariance (well conditioned with fewer rows
    than features). More: scikit-learn's full-covariance GaussianMixture.
    """
    n_samples, n_features = X64.shape
    if n_components == 1 or n_samples < 2 * (n_features + 1):
        mean = X64.mean(axis=0, keepdims=True)
        if n_samples > 1 and np.ptp(X64, axis=0).max() > 0:
            cov = LedoitWolf().fit(X64).covariance_
        else:
            cov = np.eye(n_features)
        return mean, cov[None], np.ones(1)
    k = min(n_components, n_samples // (n_features + 1))
    with threadpool_limits(limits=n_threads), config_context(array_api_dispatch=False), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gmm = GaussianMixture(k, covariance_type="full", reg_covar=REG_COVAR, random_state=seed).fit(X64)
    return gmm.means_, gmm.covariances_, gmm.weights_


def _floored_cholesky(cov):
    """Cholesky factors of the covariances (k, d, d), eigenvalues floored for conditioning."""
    eigval, eigvec = np.linalg.eigh(cov)
    floor = np.maximum(eigval.max(axis=-1, keepdims=True), 1e-12) * EIGEN_FLOOR
    eigval = np.maximum(eigval, floor)
    cov = (eigvec * eigval[:, None, :]) @ np.swapaxes(eigvec, -1, -2)
    return np.linalg.cholesky(0.5 * (cov + np.swapaxes(cov, -1, -2)))


def latent_log_density(u2, alpha, sigma, mixing, n_features):
    """Log-density of the latent mixture at latents with squares ``u2``.

    Parameters
    ----------
    u2 : torch.Tensor of shape (..., n_features)
        Squared latent coordinates.
    alpha, sigma : float
        Weight of ``N(0, 1)`` and scale of the wide component.
    mixing : {'sample', 'coordinate'}
        ``'sample'``: each latent vector is drawn whole from one component;
        ``'coordinate'``: each coordinate independently.
    n_features : int

    Returns
    -------
    torch.Tensor of shape (...)
    """
    if alpha >= 1.0:
        return -0.5 * u2.sum(dim=-1) - 0.5 * n_features * _LOG_2PI
    la, lb, ls = math.log(alpha), math.log1p(-alpha), math.log(sigma)
    if mixing == "sample":
        r2 = u2.sum(dim=-1)
        terms = torch.stack([la - 0.5 * r2, lb - n_features * ls - 0.5 * r2 / sigma**2], dim=-1)
        return torch.logsumexp(terms, dim=-1) - 0.5 * n_features * _LOG_2PI
    terms = torch.stack([la - 0.5 * u2, lb - ls - 0.5 * u2 / sigma**2], dim=-1)
    return torch.logsumexp(terms, dim=-1).sum(dim=-1) - 0.5 * n_features * _LOG_2PI


class AffineMixtureGenerator(nn.Module):
    """ALGAN's generator: ``G(z, k) = mean_k + L_k z``, component ``k`` drawn with its weight.

    Built by :meth:`from_data` at the training data's (regularised) Gaussian-mixture
    fit, then refined by adversarial training. Its output density is known for any
    latent distribution (:meth:`log_density`).

    Parameters
    ----------
    means : array-like of shape (n_components, n_features)
    scale_tril : array-like of shape (n_components, n_features, n_features)
        Lower-triangular factors with a positive diagonal.
    weights : array-like of shape (n_components,)
    """

    def __init__(self, means, scale_tril, weights):
        super().__init__()
        scale_tril = torch.as_tensor(np.asarray(scale_tril), dtype=torch.float32)
        n_features = scale_tril.shape[-1]
        self.means = nn.Parameter(torch.as_tensor(np.asarray(means), dtype=torch.float32).clone())
        self.tril_offdiag = nn.Parameter(torch.tril(scale_tril, diagonal=-1).clone())
        self.log_diag = nn.Parameter(torch.log(torch.diagonal(scale_tril, dim1=-2, dim2=-1)).clone())
        self.logit_weights = nn.Parameter(torch.log(torch.as_tensor(np.asarray(weights), dtype=torch.float32)))
        self.register_buffer("_mask", torch.tril(torch.ones(n_features, n_features, dtype=torch.float32), diagonal=-1))

    @classmethod
    def from_data(cls, X, n_components=1, seed=0, n_threads=1):
        """Generator at the Gaussian-mixture fit of the scaled training rows ``X``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        n_components : int, default=1
            1: mean and Ledoit-Wolf covariance. More: scikit-learn's full-covariance
            :class:`~sklearn.mixture.GaussianMixture` (``reg_covar=1e-3``), with at
            most ``n_samples // (n_features + 1)`` components.
        seed : int, default=0
        n_threads : int, default=1

        Returns
        -------
        AffineMixtureGenerator
        """
        means, covs, weights = _fit_mixture(np.asarray(X, dtype=np.float64), int(n_components), seed, n_threads)
        return cls(means, _floored_cholesky(covs), weights)

    @property
    def n_components(self):
        return int(self.means.shape[0])

    @property
    def n_features(self):
        return int(self.means.shape[1])

    def scale_tril(self):
        """The factors ``L_k`` of shape (n_components, n_features, n_features)."""
        return self.tril_offdiag * self._mask + torch.diag_embed(self.log_diag.exp())

    def sample_components(self, n, rng):
        """Component indices of ``n`` generated rows, drawn with the mixture weights."""
        if self.n_components == 1:
            return torch.zeros(n, dtype=torch.long, device=self.means.device)
        probs = torch.softmax(self.logit_weights.detach(), dim=0)
        return torch.multinomial(probs, n, replacement=True, generator=rng)

    def forward(self, z, components):
        """``mean_k + L_k z`` for latents ``z`` of shape (n, n_features) and components (n,)."""
        tril = self.scale_tril()
        if self.n_components == 1:
            return self.means[0] + z @ tril[0].T
        return self.means[components] + torch.einsum("nij,nj->ni", tril[components], z)

    def sample(self, n, *, alpha, sigma, rng):
        """``n`` scaled rows from latents of ``alpha * N(0, I) + (1 - alpha) * N(0, sigma^2 I)``.

        ``alpha`` is 1 for normal-state rows and 0 for anomalous-state rows; in between,
        each coordinate is anomalous-state with probability ``1 - alpha``.
        Returns a float32 ndarray of shape (n, n_features).
        """
        if alpha >= 1.0:
            z = torch.randn(n, self.n_features, generator=rng, dtype=torch.float32)
        elif alpha <= 0.0:
            z = sigma * torch.randn(n, self.n_features, generator=rng, dtype=torch.float32)
        else:
            z, _ = sample_latents(n, self.n_features, alpha, sigma, "coordinate", rng, "cpu")
        with torch.inference_mode():
            device = self.means.device
            return self(z.to(device), self.sample_components(n, rng).to(device)).cpu().numpy()

    def state(self):
        """A detached copy of ``(means, scale_tril, component probabilities)``."""
        with torch.no_grad():
            return (
                self.means.detach().clone(),
                self.scale_tril().detach().clone(),
                torch.softmax(self.logit_weights.detach(), dim=0).clone(),
            )


def sample_latents(n, n_features, alpha, sigma, mixing, rng, device):
    """Latents of ``n`` generated rows from ``alpha * N(0, I) + (1 - alpha) * N(0, sigma^2 I)``.

    ``'sample'`` mixing: the first ``round(alpha * n)`` rows are normal-state, the rest
    anomalous-state (a fixed share per batch, lower variance than random draws).
    ``'coordinate'``: each coordinate is anomalous-state with probability ``1 - alpha``.

    Returns
    -------
    z : torch.Tensor of shape (n, n_features)
    anomalous : torch.Tensor of shape (n,), bool
        Rows with at least one anomalous-state coordinate.
    """
    z = torch.randn(n, n_features, generator=rng, device=device, dtype=torch.float32)
    if mixing == "sample":
        n_normal = max(0, min(n, int(round(alpha * n))))
        z[n_normal:] *= sigma
        anomalous = torch.arange(n, device=device) >= n_normal
        return z, anomalous
    wide = torch.rand(n, n_features, generator=rng, device=device, dtype=torch.float32) >= alpha
    z = torch.where(wide, z * sigma, z)
    return z, wide.any(dim=1)


class GeneratedLogDensity(nn.Module):
    """Fixed log-density ``log n(x)`` of rows generated from one or more generator states.

    ``n(x) = (1 - buffer_weight) * g(x) + buffer_weight * mean_s g_s(x)`` where ``g`` is
    the output density of the final generator under the latent mixture and ``g_s``
    those of the early states kept in the buffer (normal-state latents only).

    Parameters
    ----------
    states : list of (means, scale_tril, log_weights) tensors
        The final generator first, then the buffered states.
    alpha, sigma : float
    mixing : {'sample', 'coordinate'}
    buffer_weight : float in [0, 1), default=0.0
    """

    def __init__(self, states, *, alpha, sigma, mixing, buffer_weight=0.0):
        super().__init__()
        self.alpha = float(alpha)
        self.sigma = float(sigma)
        self.mixing = mixing
        n_states = len(states)
        weights = [math.log1p(-buffer_weight) if buffer_weight > 0 else 0.0]
        weights += [math.log(buffer_weight / (n_states - 1))] * (n_states - 1) if n_states > 1 else []
        means, whiten, logw, is_final = [], [], [], []
        for s, (mu, tril, log_weights) in enumerate(states):
            inv = torch.linalg.solve_triangular(
                tril, torch.eye(tril.shape[-1], dtype=tril.dtype).expand_as(tril), upper=False
            )
            # u = (x - mean_k) @ whiten_k with whiten_k = inv(L_k)^T
            whiten.append(inv.transpose(-1, -2))
            means.append(mu)
            logdet = torch.log(torch.diagonal(tril, dim1=-2, dim2=-1)).sum(dim=-1)
            logw.append(log_weights - logdet + weights[s])
            is_final.append(torch.full((mu.shape[0],), s == 0))
        means, whiten = torch.cat(means), torch.cat(whiten)
        k, d = means.shape
        self.n_features = d
        # all components in one matrix product: x @ whiten_flat - shift
        self.register_buffer("whiten_flat", whiten.permute(1, 0, 2).reshape(d, k * d).float().contiguous())
        self.register_buffer("neg_shift", (-torch.einsum("kd,kde->ke", means, whiten)).reshape(-1).float())
        self.register_buffer("log_weights", torch.cat(logw).float())
        self.register_buffer("is_final", torch.cat(is_final))

    @property
    def n_components(self):
        return int(self.log_weights.shape[0])

    def forward(self, x):
        """``log n(x)`` of shape (n,) for rows ``x`` of shape (n, n_features)."""
        k, d = self.n_components, self.n_features
        u = torch.addmm(self.neg_shift, x, self.whiten_flat).view(-1, k, d)
        u2 = u * u
        final = latent_log_density(u2, self.alpha, self.sigma, self.mixing, d)
        if bool(self.is_final.all()):
            per_component = final
        else:  # buffered early states: normal-state latents only
            early = latent_log_density(u2, 1.0, 1.0, self.mixing, d)
            per_component = torch.where(self.is_final, final, early)
        return torch.logsumexp(per_component + self.log_weights, dim=-1)
