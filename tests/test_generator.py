"""G and the known density of what it generates (``_generator.py``)."""

import numpy as np
import pytest
import torch
from scipy.stats import multivariate_normal

from algan_sklearn._generator import KernelGenerator, KernelLogDensity, kernel_bandwidth, sample_latents


def _kernel_density(x, centres, scale, alpha, sigma, mixing):
    """The density of ``c_k + scale * z`` (k uniform, z from the latent mixture), written out with scipy."""
    out = np.zeros(len(x))
    for c in centres:
        if mixing == "sample":
            out += alpha * multivariate_normal(c, np.diag(scale**2)).pdf(x)
            out += (1 - alpha) * multivariate_normal(c, np.diag((sigma * scale) ** 2)).pdf(x)
        else:
            u = (x - c) / scale
            phi = lambda v, s: np.exp(-0.5 * (v / s) ** 2) / (s * np.sqrt(2 * np.pi))  # noqa: E731
            out += np.prod(alpha * phi(u, 1.0) + (1 - alpha) * phi(u, sigma), axis=1) / np.prod(scale)
    return out / len(centres)


@pytest.mark.parametrize("mixing", ["sample", "coordinate"])
@pytest.mark.parametrize("buffer", [False, True])
def test_log_density_is_the_density_of_the_negatives(mixing, buffer):
    rng = np.random.RandomState(0)
    centres = rng.normal(size=(7, 3))
    scale = np.array([0.5, 1.5, 0.8])
    early = np.array([2.0, 2.0, 1.0])
    alpha, sigma = 0.3, 3.0
    scales = [torch.tensor(scale), torch.tensor(early)] if buffer else [torch.tensor(scale)]
    dens = KernelLogDensity(
        torch.tensor(centres), scales, alpha=alpha, sigma=sigma, mixing=mixing, buffer_weight=0.5 if buffer else 0.0
    )
    x = rng.normal(size=(40, 3)) * 2
    got = dens(torch.tensor(x, dtype=torch.float32)).double().numpy()
    ref = _kernel_density(x, centres, scale, alpha, sigma, mixing)
    if buffer:  # early states: normal-state latents only
        ref = 0.5 * ref + 0.5 * _kernel_density(x, centres, early, 1.0, 1.0, "sample")
    np.testing.assert_allclose(got, np.log(ref), rtol=1e-4, atol=1e-4)


def test_generated_rows_follow_the_density():
    """Rows drawn from G have the mean log n of the density's own samples (a check that sample and density agree)."""
    rng = np.random.RandomState(1)
    centres = rng.normal(size=(20, 2)) * 3
    gen = KernelGenerator(centres, 0.7)
    with torch.no_grad():
        gen.log_scale.copy_(torch.tensor([0.2, -0.3]))
    rows = gen.sample(20000, alpha=1.0, sigma=1.0, mixing="sample", rng=torch.Generator().manual_seed(0))
    scale = gen.state().double().numpy()
    components = torch.arange(20).repeat(500)
    with torch.no_grad():
        around = gen(torch.randn(10000, 2, generator=torch.Generator().manual_seed(1)), components).numpy()
    # per-feature spread around the generating centre equals the scale
    np.testing.assert_allclose((around - centres[components.numpy()]).std(axis=0), scale, rtol=0.05)
    dens = KernelLogDensity(torch.tensor(centres), [torch.tensor(scale)], alpha=1.0, sigma=1.0, mixing="sample")
    ref = np.log(_kernel_density(rows[:200].astype(np.float64), centres, scale, 1.0, 1.0, "sample"))
    np.testing.assert_allclose(dens(torch.from_numpy(rows[:200])).double().numpy(), ref, rtol=1e-4, atol=1e-4)


def test_bandwidth_is_a_factor_of_the_median_fifth_neighbour_distance():
    centres = np.arange(20, dtype=np.float64)[:, None]  # neighbours at 1, 1, 2, 2, 3 ...: the 5th at 3 (inside)
    assert kernel_bandwidth(centres, 0.5) == pytest.approx(0.5 * 3.0)
    assert kernel_bandwidth(np.zeros((10, 2)), 0.5) == 0.5  # all centres equal
    assert kernel_bandwidth(np.zeros((1, 2)), 0.25) == 0.25


@pytest.mark.parametrize("mixing", ["sample", "coordinate"])
def test_sample_latents_follow_alpha(mixing):
    gen = torch.Generator().manual_seed(0)
    z, anomalous = sample_latents(20000, 3, 0.25, 5.0, mixing, gen, "cpu")
    if mixing == "sample":
        assert anomalous.float().mean().item() == pytest.approx(0.75, abs=1e-3)
    else:  # a row is anomalous when any of its 3 coordinates is: 1 - 0.25^3
        assert anomalous.float().mean().item() == pytest.approx(1 - 0.25**3, abs=0.01)
    assert z[~anomalous].std().item() == pytest.approx(1.0, abs=0.05)


def test_whitened_density_is_a_density_of_the_unwhitened_rows():
    """Kernels of identity shape on whitened rows are kernels of the covariance's shape on the rows."""
    from algan_sklearn._generator import ledoit_wolf_whitening

    rng = np.random.RandomState(2)
    X = rng.normal(size=(200, 3)) @ np.array([[2.0, 0.5, 0.0], [0.0, 1.0, 0.3], [0.0, 0.0, 0.2]])
    mean, matrix = ledoit_wolf_whitening(X)
    W = (X - mean) @ matrix
    from sklearn.covariance import LedoitWolf

    whitened_covariance = matrix.T @ LedoitWolf().fit(X).covariance_ @ matrix
    np.testing.assert_allclose(whitened_covariance, np.eye(3), atol=1e-4)  # spectrum floor: 1e-6 of its mean
    centres, scale = W[:6], np.array([0.5, 0.7, 0.9])
    dens = KernelLogDensity(
        torch.tensor(centres), [torch.tensor(scale)], alpha=0.4, sigma=2.0, mixing="sample", whitening=(mean, matrix)
    )
    x = X[10:40]
    # the same mixture written in the units of X: centres C^T mapped back, covariance (A diag(s^2) A^T)
    back = np.linalg.inv(matrix)
    ref = np.zeros(len(x))
    for c in centres:
        mu = c @ back + mean
        for w, f in ((0.4, 1.0), (0.6, 2.0)):
            ref += w * multivariate_normal(mu, back.T @ np.diag((f * scale) ** 2) @ back).pdf(x)
    got = dens(torch.tensor(x, dtype=torch.float32)).double().numpy()
    np.testing.assert_allclose(got, np.log(ref / len(centres)), rtol=1e-4, atol=1e-4)


def test_input_transform_folds_into_the_first_layer():
    from algan_sklearn._networks import Discriminator, fold_input_transform

    rng = np.random.RandomState(3)
    d = Discriminator(4, (8,), 5.0, generator=torch.Generator().manual_seed(0))
    mean, matrix = rng.normal(size=4), rng.normal(size=(4, 4))
    x = torch.tensor(rng.normal(size=(10, 4)), dtype=torch.float32)
    with torch.no_grad():
        expected = d(((x.double() - torch.tensor(mean)) @ torch.tensor(matrix)).float())
        fold_input_transform(d, mean, matrix)
        np.testing.assert_allclose(d(x).numpy(), expected.numpy(), rtol=1e-4, atol=1e-4)
