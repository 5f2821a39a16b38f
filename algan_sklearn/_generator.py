"""ALGAN's generator, a kernel generator on the training rows, and its known density (torch only).

The generator places one component at each of ``m`` centres (training rows, at most
``max_centres``) with one shared diagonal scale: ``G(z, k) = c_k + h * exp(l) * z``,
``h`` a bandwidth fixed from the centres' neighbour distances and ``l`` a per-feature
log-scale refined adversarially. Latents ``z`` come from
``alpha * N(0, I) + (1 - alpha) * N(0, sigma^2 I)``: normal-state latents give small
kernels around the training rows (fake-normal rows), anomalous-state ones wide kernels
around every region of the data (pseudo-anomalies). The density ``n(x)`` of all
generated rows (the final generator and the early states kept in the buffer) is a
log-sum-exp over centres in closed form; adding it to the discriminator's logit turns
the density ratio D learns into a log-density of the training data (noise-contrastive
estimation, Gutmann & Hyvarinen 2010) with a reference close to the data (Rhodes et al.
2020: a classifier estimates ``log p - log n`` well only where ``n`` is close to ``p``).
"""

import math

import numpy as np
import torch
from scipy.linalg import solve_triangular
from sklearn.covariance import ledoit_wolf
from sklearn.neighbors import NearestNeighbors
from torch import nn

_LOG_2PI = math.log(2.0 * math.pi)
#: Neighbour whose distance sets the bandwidth: ``h = bandwidth * median distance of a
#: centre to its BANDWIDTH_NEIGHBOR-th nearest other centre``.
BANDWIDTH_NEIGHBOR = 5
#: Floor of the whitened covariance's spectrum, relative to its mean eigenvalue.
EIGEN_FLOOR = 1e-6
#: Elements of the (rows, centres, features) array of per-coordinate mixing, per chunk.
_COORDINATE_CHUNK = 1 << 22


def kernel_bandwidth(centres, factor):
    """``factor`` times the median distance of a centre to its 5th nearest other centre.

    Parameters
    ----------
    centres : ndarray of shape (m, n_features)
    factor : float

    Returns
    -------
    float
        1.0 times ``factor`` when every distance is 0 (all centres equal) or ``m`` is 1.
    """
    m = centres.shape[0]
    if m < 2:
        return float(factor)
    k = min(BANDWIDTH_NEIGHBOR, m - 1)
    dist = NearestNeighbors(n_neighbors=k + 1).fit(centres).kneighbors(centres)[0][:, k]
    positive = dist[dist > 0]
    return float(factor * (np.median(positive) if positive.size else 1.0))


def ledoit_wolf_whitening(X):
    """``(mean, matrix)`` such that ``(x - mean) @ matrix`` has the identity as Ledoit-Wolf covariance.

    With ``C = R R^T`` the Ledoit-Wolf covariance of the rows ``X`` (float64, shape
    (n, d)) and ``R`` its Cholesky factor, ``matrix = R^-T`` (upper triangular).
    Kernels of identity shape on whitened rows are kernels of shape ``C`` on the rows:
    the kernel generator's ``'covariance'`` shape.

    Returns
    -------
    mean : ndarray of shape (d,)
    matrix : ndarray of shape (d, d)
    """
    mean = X.mean(axis=0)
    covariance, _ = ledoit_wolf(X - mean, assume_centered=True)  # no precision matrix: O(d^3) once
    level = np.trace(covariance) / X.shape[1]
    if not np.isfinite(level) or level <= 0:  # no spread at all: nothing to whiten
        return mean, np.eye(X.shape[1])
    # a floor on the spectrum (very few rows): the factor exists and stays well conditioned
    chol = np.linalg.cholesky(covariance + EIGEN_FLOOR * level * np.eye(X.shape[1]))
    return mean, solve_triangular(chol, np.eye(X.shape[1]), lower=True).T


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
        return z, torch.arange(n, device=device) >= n_normal
    wide = torch.rand(n, n_features, generator=rng, device=device, dtype=torch.float32) >= alpha
    return torch.where(wide, z * sigma, z), wide.any(dim=1)


class KernelGenerator(nn.Module):
    """ALGAN's generator: ``G(z, k) = centres[k] + h * exp(log_scale) * z``, ``k`` uniform.

    Parameters
    ----------
    centres : array-like of shape (n_centres, n_features)
        Scaled training rows (fixed).
    bandwidth : float > 0
        ``h``, fixed.

    Attributes
    ----------
    log_scale : torch.nn.Parameter of shape (n_features,)
        Per-feature log-scale, 0 at the start, refined by adversarial training.
    """

    def __init__(self, centres, bandwidth):
        super().__init__()
        self.register_buffer("centres", torch.as_tensor(np.asarray(centres), dtype=torch.float32).clone())
        self.log_bandwidth = math.log(float(bandwidth))
        self.log_scale = nn.Parameter(torch.zeros(self.centres.shape[1], dtype=torch.float32))
        self.whitening = None  # (mean, matrix) when G works on whitened rows

    @property
    def n_centres(self):
        return int(self.centres.shape[0])

    @property
    def n_features(self):
        return int(self.centres.shape[1])

    def scale(self):
        """The shared per-feature scale ``h * exp(log_scale)``, shape (n_features,)."""
        return torch.exp(self.log_scale + self.log_bandwidth)

    def forward(self, z, components):
        """``centres[k] + scale * z`` for latents ``z`` (n, n_features) and centre indices (n,)."""
        return self.centres[components] + self.scale() * z

    def state(self):
        """A detached copy of the scale (a generator state kept in the buffer)."""
        with torch.no_grad():
            return self.scale().detach().clone()

    def sample(self, n, *, alpha, sigma, mixing, rng):
        """``n`` scaled rows from latents of the mixture (``alpha=1``: normal-state only).

        Returns a float32 ndarray of shape (n, n_features).
        """
        device = self.centres.device
        z, _ = sample_latents(n, self.n_features, alpha, sigma, mixing, rng, "cpu")
        components = torch.randint(self.n_centres, (n,), generator=rng)
        with torch.inference_mode():
            rows = self(z.to(device), components.to(device)).cpu().double().numpy()
        if self.whitening is not None:  # back from whitened rows
            mean, matrix = self.whitening
            rows = np.linalg.solve(matrix.T, rows.T).T + mean
        return rows.astype(np.float32)


def sample_state(centres, scale, components, shape, rng):
    """Rows of a kept generator state (normal-state latents) around ``centres[components]``.

    ``shape`` is that of ``components``; the result has one more axis, of the features.
    """
    z = torch.randn(*shape, centres.shape[1], generator=rng, device=centres.device, dtype=centres.dtype)
    return centres[components] + scale * z


def _latent_terms(alpha, sigma, n_features, coordinate):
    """(log weight, variance factor, log normaliser) of the latent mixture's components."""
    if alpha >= 1.0:
        return [(0.0, 1.0, 0.0)]
    d = 1 if coordinate else n_features
    return [(math.log(alpha), 1.0, 0.0), (math.log1p(-alpha), 1.0 / sigma**2, -d * math.log(sigma))]


class KernelLogDensity(nn.Module):
    """Fixed log-density ``log n(x)`` of rows generated by a kernel generator and its buffer.

    ``n(x) = (1 - buffer_weight) * g(x) + buffer_weight * mean_s g_s(x)``: ``g`` the
    density of the final generator under the latent mixture, ``g_s`` those of the early
    states kept in the buffer (normal-state latents only). Each is an average over the
    centres of Gaussians (or latent mixtures) with a shared diagonal scale.

    With per-sample mixing every term of the mixture (state, latent component, centre)
    is ``b - 0.5 f ||(x - c) / s||^2 = b' + x . w - 0.5 f ||x / s||^2``: all terms come
    from one matrix product, the last part is the same for every centre of a (state,
    component) group and is added after the group's log-sum-exp.

    Parameters
    ----------
    centres : torch.Tensor of shape (n_centres, n_features)
    scales : list of torch.Tensor of shape (n_features,)
        The final generator's scale first, then the buffered states'.
    alpha, sigma : float
    mixing : {'sample', 'coordinate'}
    buffer_weight : float in [0, 1), default=0.0
    whitening : (ndarray, ndarray) or None, default=None
        ``(mean, matrix)`` of :func:`ledoit_wolf_whitening` when the centres and scales
        are in whitened coordinates: rows are whitened first, and the density stays one
        of the unwhitened rows (``log |det matrix|`` is added).
    """

    def __init__(self, centres, scales, *, alpha, sigma, mixing, buffer_weight=0.0, whitening=None):
        super().__init__()
        self.whiten = whitening is not None
        if self.whiten:
            mean, matrix = (torch.as_tensor(np.asarray(a), dtype=torch.float64) for a in whitening)
            self.register_buffer("whiten_mean", mean.float())
            self.register_buffer("whiten_matrix", matrix.float().contiguous())
            log_det = float(torch.linalg.slogdet(matrix)[1])
        else:
            log_det = 0.0
        # distances are computed from the centres' mean: no cancellation in float32 when the
        # data sit far from the origin (scaling=None)
        origin = centres.double().mean(dim=0)
        centres = centres.double() - origin
        self.register_buffer("origin", origin.float())
        inv = torch.stack([1.0 / s.double() for s in scales])  # (S, d)
        self.alpha, self.sigma, self.mixing = float(alpha), float(sigma), mixing
        n_centres, d = centres.shape
        self.n_features = d
        n_states = len(scales)
        state_weights = [math.log1p(-buffer_weight) if buffer_weight > 0 and n_states > 1 else 0.0]
        if n_states > 1:
            state_weights += [math.log(buffer_weight / (n_states - 1))] * (n_states - 1)
        # per state: log weight - log m + log det of the whitening - d/2 log 2 pi
        const = torch.tensor(state_weights, dtype=torch.float64) - math.log(n_centres)
        const = const + torch.log(inv).sum(-1) - 0.5 * d * _LOG_2PI + log_det
        self.n_states = n_states
        # per-coordinate mixing of the final state works on (x - c) / s coordinate by coordinate
        self.register_buffer("inv_scale", inv[0].float())
        self.register_buffer("centres_scaled", (centres * inv[0]).float() if mixing == "coordinate" else None)
        self.register_buffer("state_const", const.float())
        # the terms of one group (state, latent component) over the centres k:
        # b_k + x . w_k - 0.5 f ||x / s||^2, and the last part is the same for every k,
        # so it is added after the group's log-sum-exp
        weight, bias, coef, state_of = [], [], [], []
        for state in range(n_states):
            inv2 = inv[state] ** 2
            c = centres * inv2  # (m, d)
            r2_const = (centres * c).sum(-1)  # (m,)
            coordinate = mixing == "coordinate"
            components = _latent_terms(*((alpha, sigma) if state == 0 else (1.0, 1.0)), d, coordinate)
            for log_w, factor, log_norm in components if not coordinate or state > 0 else []:
                weight.append(factor * c.T)
                bias.append(const[state] + log_w + log_norm - 0.5 * factor * r2_const)
                coef.append(-0.5 * factor)
                state_of.append(state)
        if not weight:  # per-coordinate mixing without a buffer: every term is in _coordinate_terms
            weight, bias = [torch.zeros(d, 0, dtype=torch.float64)], [torch.zeros(0, dtype=torch.float64)]
        self.n_centres = n_centres
        self.register_buffer("inv2", (inv**2).T.float().contiguous())  # (d, S)
        self.register_buffer("term_weight", torch.cat(weight, dim=1).float().contiguous())  # (d, G * m)
        self.register_buffer("term_bias", torch.cat(bias).float())  # (G * m,)
        self.register_buffer("group_coef", torch.tensor(coef, dtype=torch.float32))  # (G,)
        self.register_buffer("group_state", torch.tensor(state_of, dtype=torch.long))  # (G,)

    def _coordinate_terms(self, x):
        """log of the final state's per-coordinate latent mixture for every centre, (n, m)."""
        out = []
        u = x * self.inv_scale
        c = self.centres_scaled
        step = max(1, _COORDINATE_CHUNK // max(1, x.shape[0] * self.n_features))
        for start in range(0, c.shape[0], step):
            u2 = (u[:, None, :] - c[None, start : start + step]) ** 2
            terms = [lw - 0.5 * f * u2 + ln for lw, f, ln in _latent_terms(self.alpha, self.sigma, 1, True)]
            out.append(torch.logsumexp(torch.stack(terms), dim=0).sum(-1))
        return torch.cat(out, dim=1) + self.state_const[0]

    def forward(self, x):
        """``log n(x)`` of shape (n,) for scaled rows ``x`` of shape (n, n_features)."""
        if self.whiten:
            x = (x - self.whiten_mean) @ self.whiten_matrix
        x = x - self.origin
        n_groups = self.group_coef.shape[0]
        parts = []
        if n_groups:
            squares = (x * x) @ self.inv2  # (n, S): ||x / s||^2 per state
            terms = torch.addmm(self.term_bias, x, self.term_weight).view(-1, n_groups, self.n_centres)
            parts.append(torch.logsumexp(terms, dim=2) + squares[:, self.group_state] * self.group_coef)
        if self.mixing == "coordinate" and self.alpha < 1.0:
            parts.append(torch.logsumexp(self._coordinate_terms(x), dim=1, keepdim=True))
        groups = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
        return groups[:, 0] if groups.shape[1] == 1 else torch.logsumexp(groups, dim=1)
