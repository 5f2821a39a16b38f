"""Diagnostics that fail when ALGAN's discriminator does not train or its knobs do nothing,
and tests of the cross-fitting, D's weight and the held-out threshold."""

import math

import numpy as np
import pytest
import torch
from conftest import fast_algan
from scipy.stats import multivariate_normal, spearmanr

from algan_sklearn import ALGANDetector
from algan_sklearn._fitting import cross_fit_layout


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
    return X, ALGANDetector(max_iter=800, buffer_size=2, random_state=0).fit(X)


def test_discriminator_weights_move_and_logits_separate(trained):
    _, det = trained
    h = det.history_
    assert h["weight_change_d"][-1] > 0.2, "D's weights barely moved"
    assert h["weight_change_d"][-1] > h["weight_change_d"][0]
    last = slice(-20, None)
    real = np.mean(h["logit_real"][last])
    assert real - np.mean(h["logit_anomalous"][last]) > 0.05, "D does not separate pseudo-anomalies"
    assert real - np.mean(h["logit_buffer"][last]) > 0.0
    assert real > np.mean(h["logit_fake"][last]), "D does not tell training rows from fake-normal ones"
    assert abs(h["logit_real"][-1]) < 20.0, "D's logit on real rows is saturated"


def test_discriminator_keeps_the_reference_ranking(trained):
    """Score = log n + w D ranks by the true density at least as well as the kernel reference alone.

    (Where D adds to the reference is measured on real data by the benchmarks: here the
    kernel reference is already close to the truth.)"""
    X, det = trained
    rng = np.random.RandomState(1)
    queries = rng.uniform([-3.0, -1.2], [3.0, 1.2], size=(2000, 2))  # where the data are
    x = torch.from_numpy(det._scale(queries))
    with torch.inference_mode():
        log_n = det.log_density_(x).double().numpy()
    assert det.discriminator_weight_ > 0.2, "held-out rows do not confirm D"
    truth = _true_log_density(queries)
    score = det.score_samples(queries)
    assert spearmanr(score, truth).correlation > spearmanr(log_n, truth).correlation - 0.01
    assert spearmanr(score, truth).correlation > 0.85


@pytest.mark.parametrize("change", [{"sigma": 8.0}, {"alpha": 0.9}, {"latent_mixing": "coordinate"}])
def test_sigma_alpha_and_mixing_change_the_model(change):
    X = _bimodal(n=300, seed=2)
    base = ALGANDetector(max_iter=300, random_state=0).fit(X)
    other = ALGANDetector(max_iter=300, random_state=0, **change).fit(X)
    x = torch.from_numpy(base._scale(X))
    with torch.inference_mode():
        d_base = base.discriminators_[0](x).numpy()
        d_other = other.discriminators_[0](x).numpy()
    assert np.abs(d_base - d_other).max() > 1e-3  # D trained differently
    assert np.abs(base.score_samples(X) - other.score_samples(X)).mean() > 0.05


def test_wider_pseudo_anomalies_are_separated_more():
    X = _bimodal(n=300, seed=2)
    narrow = ALGANDetector(max_iter=300, random_state=0).fit(X).history_
    wide = ALGANDetector(max_iter=300, sigma=8.0, random_state=0).fit(X).history_
    gap = [np.mean(h["logit_real"][-20:]) - np.mean(h["logit_anomalous"][-20:]) for h in (narrow, wide)]
    assert gap[1] > gap[0] + 0.02


def test_buffer_changes_the_model():
    X = _bimodal(n=300, seed=3)
    with_buffer = ALGANDetector(max_iter=300, buffer_size=4, random_state=0).fit(X)
    without = ALGANDetector(max_iter=300, random_state=0, buffer_size=0).fit(X)
    assert with_buffer.log_density_.state_const.shape == (1 + 4,)
    assert without.log_density_.state_const.shape == (1,)
    assert math.isnan(without.history_["logit_buffer"][-1])
    assert np.abs(with_buffer.score_samples(X) - without.score_samples(X)).mean() > 0.05


def test_generator_refines_its_scale_and_sits_on_training_rows():
    X = _bimodal(n=400, seed=4)
    det = ALGANDetector(max_iter=300, calibration_fraction=0, random_state=0).fit(X)
    centres = det.generator_.centres.numpy()
    assert centres.shape == (400, 2)
    np.testing.assert_allclose(np.sort(centres[:, 0]), np.sort(det._scale(X)[:, 0]))
    assert np.abs(det.generator_.log_scale.detach().numpy()).max() > 0.02, "G's scale did not move"
    frozen = ALGANDetector(max_iter=300, calibration_fraction=0, lr_generator=1e-9, random_state=0).fit(X)
    assert np.abs(det.score_samples(X) - frozen.score_samples(X)).mean() > 0.003


@pytest.mark.parametrize("n, max_centres", [(400, 1000), (400, 64), (5, 100), (3, 100), (10, 3)])
def test_cross_fitting_keeps_each_discriminator_off_its_negatives_centres(n, max_centres):
    centres, halves, centre_halves = cross_fit_layout(n, max_centres, seed=0)
    assert len(centres) == min(n, max_centres) and np.all(np.diff(centres) > 0)
    if n < 4:
        assert len(halves) == 1
        return
    assert len(halves) == 2
    assert np.intersect1d(halves[0], halves[1]).size == 0
    assert np.union1d(halves[0], halves[1]).size == n
    for j in (0, 1):
        assert centre_halves[j].size > 0
        # no real row of D_j is a centre of its negatives
        assert np.intersect1d(centres[centre_halves[j]], halves[j]).size == 0


def test_discriminator_weight_is_fitted_on_held_out_rows_and_bounded():
    X = _bimodal(n=600, seed=6)
    det = ALGANDetector(max_iter=300, random_state=0).fit(X)
    assert 0.0 <= det.discriminator_weight_ <= 1.0
    assert det.score_network_.weights.sum().item() == pytest.approx(det.discriminator_weight_, rel=1e-6)
    unconfirmed = ALGANDetector(max_iter=300, calibration_fraction=0, random_state=0).fit(X)
    assert unconfirmed.discriminator_weight_ == 0.5


def test_threshold_carries_over_to_new_rows():
    """contamination=0.05 flags about 5% of new rows of the training distribution."""
    rng = np.random.RandomState(0)
    cov = np.array([[1.0, 0.8, 0.0], [0.8, 1.0, 0.3], [0.0, 0.3, 1.0]])
    X = rng.multivariate_normal(np.zeros(3), cov, size=1500)
    new = rng.multivariate_normal(np.zeros(3), cov, size=4000)
    det = ALGANDetector(max_iter=400, contamination=0.05, random_state=0).fit(X)
    assert det.n_calibration_ == 150
    assert det.calibration_scores_.shape == (150,)
    # the Weibull percentile of held-out scores (``_base.held_out_threshold``): unbiased for new rows
    assert det.offset_ == pytest.approx(np.percentile(det.calibration_scores_, 5.0, method="weibull"))
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


def test_ladder_head_trains_and_changes_the_model():
    X = _bimodal(n=400, seed=7)
    binary = ALGANDetector(max_iter=300, buffer_size=2, random_state=0).fit(X)
    ladder = ALGANDetector(max_iter=300, buffer_size=2, discriminator_head="ladder", random_state=0).fit(X)
    assert ladder.discriminators_[0].n_outputs == 4  # real, fake-normal, pseudo-anomalous, buffered
    h = ladder.history_
    assert np.mean(h["logit_real"][-5:]) > np.mean(h["logit_anomalous"][-5:])
    assert np.mean(h["logit_real"][-5:]) > np.mean(h["logit_buffer"][-5:])
    scores = ladder.score_samples(X)
    assert np.all(np.isfinite(scores))
    assert np.abs(scores - binary.score_samples(X)).mean() > 1e-3
