"""Diagnostics that fail when ALGAN's discriminator does not train or its knobs do nothing,
and direct tests of the generator's known density and of the held-out threshold."""

import math

import numpy as np
import pytest
import torch
from conftest import fast_algan
from scipy.stats import multivariate_normal, spearmanr

from algan_sklearn import ALGANDetector
from algan_sklearn._density import AffineMixtureGenerator, GeneratedLogDensity, sample_latents


def _bimodal(n=600, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2)) * [0.4, 0.4]
    X[: n // 2, 0] += 2.0
    X[n // 2 :, 0] -= 2.0
    return X


def _true_log_density(x):
    comps = [multivariate_normal([m, 0.0], np.diag([0.16, 0.16])) for m in (2.0, -2.0)]
    return np.log(0.5 * comps[0].pdf(x) + 0.5 * comps[1].pdf(x))


@pytest.fixture(scope="module")
def trained():
    X = _bimodal()
    return X, ALGANDetector(max_iter=800, random_state=0).fit(X)


def test_discriminator_weights_move_and_logits_separate(trained):
    _, det = trained
    h = det.history_
    assert h["weight_change_d"][-1] > 0.2, "D's weights barely moved"
    assert h["weight_change_d"][-1] > h["weight_change_d"][0]
    last = slice(-20, None)
    real = np.mean(h["logit_real"][last])
    assert real - np.mean(h["logit_anomalous"][last]) > 1.0, "D does not separate pseudo-anomalies"
    assert real - np.mean(h["logit_buffer"][last]) > 0.0
    assert real > np.mean(h["logit_fake"][last]), "D does not tell training rows from fake-normal ones"
    assert abs(h["logit_real"][-1]) < 20.0, "D's logit on real rows is saturated"


def test_discriminator_carries_the_score(trained):
    """Score = D + log n ranks by the true density better than log n alone (one Gaussian here)."""
    X, det = trained
    rng = np.random.RandomState(1)
    queries = rng.uniform([-3.0, -1.2], [3.0, 1.2], size=(2000, 2))  # where the data are
    x = torch.from_numpy(det._scale(queries))
    with torch.inference_mode():
        log_n = det.log_density_(x).double().numpy()
    truth = _true_log_density(queries)
    score = det.score_samples(queries)
    assert spearmanr(score, truth).correlation > spearmanr(log_n, truth).correlation + 0.1
    assert spearmanr(score, truth).correlation > 0.8


@pytest.mark.parametrize("change", [{"sigma": 8.0}, {"alpha": 0.9}, {"latent_mixing": "coordinate"}])
def test_sigma_alpha_and_mixing_change_the_discriminator(change):
    X = _bimodal(n=300, seed=2)
    base = ALGANDetector(max_iter=300, random_state=0).fit(X)
    other = ALGANDetector(max_iter=300, random_state=0, **change).fit(X)
    x = torch.from_numpy(base._scale(X))
    with torch.inference_mode():
        d_base = base.discriminator_(x).numpy()
        d_other = other.discriminator_(x).numpy()
    # D itself (not only the fixed term) differs materially
    assert np.abs(d_base - d_other).mean() > 0.1 * d_base.std()
    assert np.abs(base.score_samples(X) - other.score_samples(X)).mean() > 0.05


def test_buffer_changes_the_model():
    X = _bimodal(n=300, seed=3)
    with_buffer = ALGANDetector(max_iter=300, random_state=0).fit(X)
    without = ALGANDetector(max_iter=300, random_state=0, buffer_size=0).fit(X)
    assert with_buffer.log_density_.n_components == 1 + 4
    assert without.log_density_.n_components == 1
    assert math.isnan(without.history_["logit_buffer"][-1])
    assert np.abs(with_buffer.score_samples(X) - without.score_samples(X)).mean() > 0.05


@pytest.mark.parametrize("mixing", ["sample", "coordinate"])
@pytest.mark.parametrize("buffer", [False, True])
def test_generated_log_density_is_the_density_of_the_negatives(mixing, buffer):
    """log n(x) equals the mixture density written out with scipy, for both latent mixings."""
    rng = np.random.RandomState(0)
    mean = np.array([[1.0, -2.0]])
    tril = np.array([[[1.5, 0.0], [0.7, 0.4]]])
    alpha, sigma = 0.3, 3.0
    gen = AffineMixtureGenerator(mean, tril, [1.0])
    states = [tuple(t.double() for t in gen.state())]
    early = (torch.tensor([[0.0, 0.0]]).double(), torch.eye(2)[None].double() * 2.0, torch.ones(1).double())
    if buffer:
        states.append(early)
    dens = GeneratedLogDensity(
        [(m, t, torch.log(p)) for m, t, p in states],
        alpha=alpha,
        sigma=sigma,
        mixing=mixing,
        buffer_weight=0.5 if buffer else 0.0,
    )
    x = rng.normal(size=(50, 2)) * 3
    got = dens(torch.tensor(x, dtype=torch.float32)).double().numpy()
    cov = tril[0] @ tril[0].T
    if mixing == "sample":
        ref = alpha * multivariate_normal(mean[0], cov).pdf(x) + (1 - alpha) * multivariate_normal(
            mean[0], sigma**2 * cov
        ).pdf(x)
    else:  # change of variables with a per-coordinate latent density
        u = np.linalg.solve(tril[0], (x - mean[0]).T).T
        phi = lambda v, s: np.exp(-0.5 * (v / s) ** 2) / (s * np.sqrt(2 * np.pi))  # noqa: E731
        ref = np.prod(alpha * phi(u, 1.0) + (1 - alpha) * phi(u, sigma), axis=1) / abs(np.linalg.det(tril[0]))
    if buffer:
        ref = 0.5 * ref + 0.5 * multivariate_normal([0.0, 0.0], 4.0 * np.eye(2)).pdf(x)
    np.testing.assert_allclose(got, np.log(ref), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mixing", ["sample", "coordinate"])
def test_sample_latents_follow_alpha(mixing):
    gen = torch.Generator().manual_seed(0)
    z, anomalous = sample_latents(20000, 3, 0.25, 5.0, mixing, gen, "cpu")
    if mixing == "sample":
        assert anomalous.float().mean().item() == pytest.approx(0.75, abs=1e-3)
    else:  # a row is anomalous when any of its 3 coordinates is: 1 - 0.25^3
        assert anomalous.float().mean().item() == pytest.approx(1 - 0.25**3, abs=0.01)
    assert z[~anomalous].std().item() == pytest.approx(1.0, abs=0.05)


def test_generator_starts_at_the_data_fit():
    X = _bimodal(n=400, seed=4)
    gen = AffineMixtureGenerator.from_data(X, n_components=1)
    tril = gen.scale_tril().detach().numpy()[0]
    np.testing.assert_allclose(gen.means.detach().numpy()[0], X.mean(axis=0), atol=1e-5)
    cov = np.cov(X.T, bias=True)
    np.testing.assert_allclose(tril @ tril.T, cov, rtol=0.05, atol=0.02)  # Ledoit-Wolf shrinks a little


def test_threshold_carries_over_to_new_rows():
    """contamination=0.05 flags about 5% of new rows of the training distribution."""
    rng = np.random.RandomState(0)
    cov = np.array([[1.0, 0.8, 0.0], [0.8, 1.0, 0.3], [0.0, 0.3, 1.0]])
    X = rng.multivariate_normal(np.zeros(3), cov, size=1500)
    new = rng.multivariate_normal(np.zeros(3), cov, size=4000)
    det = ALGANDetector(max_iter=400, contamination=0.05, random_state=0).fit(X)
    assert det.n_calibration_ == 150
    assert det.calibration_scores_.shape == (150,)
    assert det.offset_ == pytest.approx(np.percentile(det.calibration_scores_, 5.0))
    assert 0.02 <= np.mean(det.predict(new) == -1) <= 0.10


def test_calibration_rows_follow_the_rule():
    X = _bimodal(n=300, seed=5)
    assert fast_algan().fit(X).n_calibration_ == 50  # at least 50 rows ...
    assert fast_algan().fit(X[:100]).n_calibration_ == 20  # ... at most a fifth ...
    assert fast_algan().fit(X[:45]).n_calibration_ == 9  # ... a fifth of small data ...
    assert fast_algan().fit(X[:24]).n_calibration_ == 0  # ... none when fewer than 5
    assert fast_algan(calibration_fraction=0.4).fit(X).n_calibration_ == 120  # ... or the share asked for
    no_holdout = fast_algan(calibration_fraction=0).fit(X)
    assert no_holdout.n_calibration_ == 0
    np.testing.assert_array_equal(no_holdout.calibration_scores_, no_holdout.score_samples(X))
