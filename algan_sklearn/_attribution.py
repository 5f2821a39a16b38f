"""Exact integrated gradients of ALGAN's discriminator along straight lines.

D's logit is ``b + L * tanh(m(x) / L)`` with ``m`` an MLP of LeakyReLU layers, so along
a line ``x(t) = r + t * delta`` the network part ``m`` is piecewise linear in ``t``.
Its breakpoints (where a hidden pre-activation changes sign) are found layer by layer:
between two known breakpoints a layer's pre-activations are linear, so their zero
crossings are found from their values at the ends. On each piece ``[t_k, t_(k+1)]``
the gradient ``g_k`` of ``m`` is constant, D rises by
``L * (tanh(m(t_(k+1)) / L) - tanh(m(t_k) / L))``, and feature ``j`` takes the share
``delta_j * g_kj / (g_k . delta)`` of that rise. The contributions therefore add up
to ``D(x) - D(r)`` exactly (to float64 rounding), where a quadrature of the gradient
converges only as one over the number of nodes across D's kinks.
"""

import numpy as np
import torch
from torch import nn


def _split(network):
    """(linear layer, activation or None) pairs of an ``nn.Sequential`` MLP."""
    layers = list(network)
    pairs = []
    for i, layer in enumerate(layers):
        if isinstance(layer, nn.Linear):
            act = layers[i + 1] if i + 1 < len(layers) and not isinstance(layers[i + 1], nn.Linear) else None
            pairs.append((layer, act))
    return pairs


def _pre_activations(pairs, x, depth):
    """Pre-activations of layer ``depth`` (0-based) for rows ``x``."""
    h = x
    for layer, act in pairs[:depth]:
        h = act(layer(h))
    return pairs[depth][0](h)


def _breakpoints(pairs, reference, delta):
    """Sorted breakpoints in [0, 1] of the MLP along each line, shape (n, P), padded with 1."""
    n = delta.shape[0]
    t = torch.tensor([0.0, 1.0], dtype=delta.dtype).expand(n, 2).contiguous()
    for depth in range(len(pairs) - 1):  # the last layer has no activation
        points = reference + t[..., None] * delta[:, None, :]
        a = _pre_activations(pairs, points, depth)  # (n, P, width)
        a0, a1 = a[:, :-1], a[:, 1:]
        crossing = (a0 * a1) < 0
        t0, t1 = t[:, :-1, None], t[:, 1:, None]
        where = t0 + (t1 - t0) * a0 / torch.where(crossing, a0 - a1, torch.ones_like(a0))
        new = torch.where(crossing, where, torch.ones_like(where)).reshape(n, -1)
        count = int(crossing.reshape(n, -1).sum(dim=1).max())
        if count == 0:
            continue
        new = torch.sort(new, dim=1).values[:, :count]
        t = torch.sort(torch.cat([t, new], dim=1), dim=1).values
    return t


def discriminator_attributions(discriminator, Z, reference):
    """Exact integrated gradients of D from ``reference`` to each row of ``Z``.

    Parameters
    ----------
    discriminator : Discriminator
        A float64 copy (``_networks.Discriminator``).
    Z : ndarray of shape (n_samples, n_features), float64
        Scaled rows.
    reference : ndarray of shape (n_features,), float64

    Returns
    -------
    ndarray of shape (n_samples, n_features)
        Rows sum to ``D(z) - D(reference)``.
    """
    pairs = _split(discriminator.net)
    bound = discriminator.logit_bound
    ref = torch.from_numpy(np.ascontiguousarray(reference))
    delta = torch.from_numpy(np.ascontiguousarray(Z)) - ref
    with torch.no_grad():
        t = _breakpoints(pairs, ref, delta)  # (n, P)
        m = discriminator.net(ref + t[..., None] * delta[:, None, :]).squeeze(-1)  # (n, P)
    mid = (ref + 0.5 * (t[:, :-1, None] + t[:, 1:, None]) * delta[:, None, :]).requires_grad_(True)
    discriminator.net(mid).sum().backward()
    share = delta[:, None, :] * mid.grad  # (n, P - 1, d): delta_j * g_kj
    with torch.no_grad():
        length = t[:, 1:] - t[:, :-1]
        rise = bound * (torch.tanh(m[:, 1:] / bound) - torch.tanh(m[:, :-1] / bound))
        dm = share.sum(dim=-1) * length  # m's change on each piece
        flat = dm.abs() <= 1e-12 * (1.0 + m[:, :-1].abs())
        # rise per unit of m's change; on a flat piece, tanh's derivative
        ratio = torch.where(flat, 1.0 - torch.tanh(m[:, :-1] / bound) ** 2, rise / torch.where(flat, 1.0, dm))
        return (share * (length * ratio)[..., None]).sum(dim=1).numpy()


def algan_contributions(detector, X):
    """Integrated gradients of an ALGANDetector's score of validated rows ``X`` from its ``reference_``.

    On the scaled rows, with float64 copies of the networks: exact for D
    (:func:`discriminator_attributions`, each D times its weight), Gauss-Legendre quadrature for the smooth
    ``log n`` (64 nodes, more where the rows' contributions miss ``log n``'s difference
    by over 1e-6 of it). The scaling acts on each feature separately, so the
    contribution of a scaled feature is that of the input feature.

    Returns
    -------
    contributions : ndarray of shape (n_samples, n_features)
        Sum to ``s(x) - s(reference_)``.
    reference_score : float
    """
    import copy

    from ._scaling import scale_rows
    from .inspection import integrated_gradients_adaptive
    from .utils._torch import torch_threads

    network = copy.deepcopy(detector.score_network_).cpu().double().eval()
    weighted = [(float(w), d) for w, d in zip(network.weights, network.discriminators) if float(w) != 0.0]
    # the binary head is piecewise linear along a line (exact below); a ladder head's
    # log-sum-exp is smooth and joins log n in the quadrature
    exact = [(w, d) for w, d in weighted if d.n_outputs == 1]
    smooth = [(w, d) for w, d in weighted if d.n_outputs > 1]

    def smooth_part(Z):
        value = network.log_density(Z)
        for weight, discriminator in smooth:
            value = value + weight * discriminator(Z)
        return value

    def log_density_gradient(Z):
        Z = torch.from_numpy(Z).requires_grad_(True)
        smooth_part(Z).sum().backward()
        return Z.grad.numpy()

    def log_density_value(Z):
        with torch.no_grad():
            return smooth_part(torch.from_numpy(Z)).numpy()

    def scaled(rows):
        return scale_rows(rows, detector.feature_scale_, detector.scaler_, np.float64)

    reference = scaled(detector.reference_[None])[0]
    out = np.empty(X.shape, dtype=np.float64)
    with torch_threads(1), torch.inference_mode(False), torch.enable_grad():
        for start in range(0, X.shape[0], 256):  # bounds the (rows, breakpoints, width) arrays
            Z = scaled(X[start : start + 256])
            out[start : start + len(Z)] = integrated_gradients_adaptive(
                log_density_gradient, log_density_value, Z, reference
            )
            for weight, discriminator in exact:
                out[start : start + len(Z)] += weight * discriminator_attributions(discriminator, Z, reference)
    return out, float(detector._score_samples(detector.reference_[None])[0])
