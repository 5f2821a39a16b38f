"""D, the score module and tiled scoring (``_networks.py``), and D's exact attributions (``_attribution.py``)."""

import copy

import numpy as np
import torch
from numpy.testing import assert_allclose, assert_array_equal

from algan_sklearn._attribution import discriminator_attributions
from algan_sklearn._networks import INPUT_CLAMP, ALGANScore, Discriminator, score_in_tiles


def discriminator(seed=0, n_features=5, hidden=(16, 8), bound=3.0):
    return Discriminator(n_features, hidden, bound, generator=torch.Generator().manual_seed(seed))


def test_discriminator_is_bounded_around_its_offset():
    d = discriminator()
    with torch.no_grad():
        d.bias.fill_(1.5)
        d.net[-1].weight.mul_(1e6)  # push the network part into saturation
        logits = d(torch.randn(200, 5) * 100)
    assert torch.all((logits >= 1.5 - 3.0) & (logits <= 1.5 + 3.0))
    assert logits.max() - logits.min() > 5.0


def test_initialisation_is_reproducible_and_leaves_the_global_generator_alone():
    state = torch.get_rng_state()
    a, b, c = discriminator(0), discriminator(0), discriminator(1)
    assert torch.equal(torch.get_rng_state(), state)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    assert not torch.equal(a.net[0].weight, c.net[0].weight)


def test_score_is_discriminator_plus_log_density_and_clamps_inputs():
    d = discriminator()

    class Quadratic(torch.nn.Module):
        def forward(self, x):
            return -0.5 * (x * x).sum(dim=-1)

    e = discriminator(seed=1)
    score = ALGANScore([d, e], [0.25, 0.5], Quadratic())
    x = torch.randn(10, 5)
    with torch.no_grad():
        expected = 0.25 * d(x) + 0.5 * e(x) - 0.5 * (x * x).sum(dim=-1)
        assert_allclose(score(x).numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)
        huge = torch.full((1, 5), 1e30)
        assert torch.equal(score(huge), score(torch.full((1, 5), INPUT_CLAMP)))


def test_tiled_scores_do_not_depend_on_the_other_rows_or_threads():
    class Zero(torch.nn.Module):
        def forward(self, x):
            return x[:, 0] * 0.0

    net = ALGANScore([discriminator(n_features=5, hidden=(64, 64))], [1.0], Zero()).train()
    Z = torch.randn(5000, 5)
    full = score_in_tiles(net, Z, tile_rows=512)
    assert full.shape == (5000,) and full.dtype == np.float64
    assert_array_equal(score_in_tiles(net, torch.flip(Z, dims=[0]), tile_rows=512)[::-1], full)
    assert_array_equal(score_in_tiles(net, Z[1234:1240], tile_rows=512), full[1234:1240])
    assert_array_equal(score_in_tiles(net, Z, n_workers=3, tile_rows=512), full)
    assert net.training  # the caller's mode is restored


def test_attributions_are_exact_and_match_fine_quadrature():
    d = copy.deepcopy(discriminator(seed=3, hidden=(32, 16), bound=4.0)).double()
    rng = np.random.RandomState(0)
    Z, reference = 3 * rng.normal(size=(20, 5)), rng.normal(size=5)
    contributions = discriminator_attributions(d, Z, reference)
    with torch.no_grad():
        delta = (d(torch.from_numpy(Z)) - d(torch.from_numpy(reference[None]))).numpy()
    assert_allclose(contributions.sum(axis=1), delta, rtol=1e-9, atol=1e-12)  # completeness, exactly

    # the same as integrated gradients with a very fine midpoint rule
    t = (np.arange(4000) + 0.5) / 4000
    points = torch.from_numpy(reference + t[:, None, None] * (Z - reference)[None]).requires_grad_(True)
    d(points.reshape(-1, 5)).sum().backward()
    fine = (Z - reference) * points.grad.numpy().mean(axis=0)
    assert_allclose(contributions, fine, atol=2e-3 * np.abs(delta).max())


def test_stacked_discriminators_compute_and_return_each_discriminator():
    from algan_sklearn._networks import StackedDiscriminators

    ds = [discriminator(seed=s, hidden=(16, 8)) for s in (0, 1)]
    stacked = StackedDiscriminators(ds)
    x = torch.randn(2, 30, 5)
    with torch.no_grad():
        together = stacked(x)
        for j, d in enumerate(ds):
            assert_allclose(together[j].numpy(), d(x[j]).numpy(), rtol=1e-5, atol=1e-6)
        for p in stacked.parameters():
            p.add_(0.1)
    fresh = [discriminator(seed=s, hidden=(16, 8)) for s in (0, 1)]
    stacked.unstack(fresh)
    with torch.no_grad():
        for j, d in enumerate(fresh):
            assert_allclose(stacked(x)[j].numpy(), d(x[j]).numpy(), rtol=1e-5, atol=1e-6)


def test_ladder_head_is_real_against_all_negative_classes():
    from algan_sklearn._networks import StackedDiscriminators

    ds = [Discriminator(5, (8,), 3.0, generator=torch.Generator().manual_seed(s), n_outputs=4) for s in (0, 1)]
    x = torch.randn(2, 20, 5)
    with torch.no_grad():
        out = ds[0].net(x[0])
        expected = 3.0 * torch.tanh((out[:, 0] - torch.logsumexp(out[:, 1:], dim=1)) / 3.0)
        assert_allclose(ds[0](x[0]).numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)
        stacked = StackedDiscriminators(ds)
        assert stacked.outputs(x).shape == (2, 20, 4)
        for j, d in enumerate(ds):
            assert_allclose(stacked(x)[j].numpy(), d(x[j]).numpy(), rtol=1e-5, atol=1e-6)
