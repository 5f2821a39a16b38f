"""Per-feature contributions to the anomaly score (``algan_sklearn.inspection``)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import make_detectors
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from algan_sklearn import ALGANDetector, GaussianMixtureDetector, KNNDetector, ZScoreDetector, inspection
from algan_sklearn.inspection import feature_contributions, integrated_gradients_adaptive


def shifted_rows(n_rows=60, n_features=20, seed=0):
    """Gaussian rows with one random feature shifted by 6 standard deviations, and which one."""
    rng = np.random.RandomState(seed)
    T = rng.normal(size=(n_rows, n_features))
    which = rng.randint(n_features, size=n_rows)
    T[np.arange(n_rows), which] += 6.0 * np.sign(rng.normal(size=n_rows))
    return T, which


@pytest.fixture(scope="module")
def gaussian():
    return np.random.RandomState(1).normal(size=(1000, 20))


DETECTORS = [
    ALGANDetector(max_iter=300, random_state=0),
    KNNDetector(),
    KNNDetector(method="mean"),
    KNNDetector(n_neighbors=4, method="median"),
    ZScoreDetector(),
    ZScoreDetector(method="max"),
    GaussianMixtureDetector(random_state=0),
    GaussianMixtureDetector(max_features=5),
]


@pytest.fixture(
    scope="module", params=DETECTORS, ids=lambda d: f"{type(d).__name__}-{d.get_params().get('method', '')}"
)
def fitted(request, gaussian):
    return clone(request.param).fit(gaussian)


def test_contributions_add_up_to_the_score_difference(fitted):
    T, _ = shifted_rows()
    T = np.vstack([T, np.random.RandomState(3).normal(size=(20, 20))])
    result = feature_contributions(fitted, T)
    assert result.contributions.shape == T.shape
    assert_allclose(result.anomaly_score, -fitted.score_samples(T))
    delta = result.anomaly_score - result.reference_score
    rtol = 1e-3 if isinstance(fitted, ALGANDetector) else 1e-9
    far = np.abs(delta) > 1e-2
    assert far.sum() > 60
    assert_allclose(result.contributions.sum(axis=1)[far], delta[far], rtol=rtol)


def test_shifted_feature_ranks_first(fitted):
    T, which = shifted_rows()
    contributions = feature_contributions(fitted, T).contributions
    assert np.mean(np.argmax(contributions, axis=1) == which) >= 0.9


def test_pipeline_with_scaler_explains_input_features(gaussian):
    X = gaussian * np.linspace(0.01, 100.0, 20) + 5.0  # mixed units
    T, which = shifted_rows()
    T = T * np.linspace(0.01, 100.0, 20) + 5.0
    for det in [ZScoreDetector(), KNNDetector(), ALGANDetector(max_iter=100, random_state=0)]:
        pipe = make_pipeline(StandardScaler(), clone(det)).fit(X)
        direct = feature_contributions(pipe[-1], pipe[0].transform(T)).contributions
        result = feature_contributions(pipe, T)
        assert_allclose(result.contributions, direct, rtol=1e-9, atol=1e-12)
        assert np.mean(np.argmax(result.contributions, axis=1) == which) >= 0.9


def test_feature_names_and_frames(gaussian, no_warnings):
    names = [f"sensor_{j}" for j in range(20)]
    frame = pd.DataFrame(gaussian, columns=names)
    det = ZScoreDetector().fit(frame)
    T, _ = shifted_rows(5)
    result = feature_contributions(det, pd.DataFrame(T, columns=names), as_frame=True)
    assert list(result.feature_names) == names
    assert list(result.contributions.columns) == names
    assert list(feature_contributions(ZScoreDetector().fit(gaussian), T).feature_names[:2]) == ["x0", "x1"]


def test_unseen_constant_column_gets_the_drop(no_warnings):
    rng = np.random.RandomState(0)
    X = np.c_[rng.normal(size=(300, 3)), np.full(300, 20.0)]
    for det in make_detectors():
        det.fit(X)
        rows = np.array([[0.0, 0.0, 0.0, 23.0], [5.0, 0.0, 0.0, 20.0]])
        result = feature_contributions(det, rows)
        assert np.argmax(result.contributions[0]) == 3
        assert result.contributions[1, 3] == 0.0
        delta = result.anomaly_score - result.reference_score
        assert_allclose(result.contributions.sum(axis=1), delta, rtol=1e-3)


def test_input_not_modified_and_rejections(gaussian):
    det = ZScoreDetector().fit(gaussian)
    T, _ = shifted_rows(5)
    before = T.copy()
    feature_contributions(det, T)
    assert_array_equal(T, before)
    with pytest.raises(TypeError, match="step 'pca' is a PCA, which mixes features"):
        feature_contributions(make_pipeline(PCA(5), ZScoreDetector()).fit(gaussian), T)
    with pytest.raises(TypeError, match="not LocalOutlierFactor"):
        feature_contributions(LocalOutlierFactor(novelty=True).fit(gaussian), T)
    with pytest.raises(ValueError, match="features"):
        feature_contributions(det, T[:, :3])


def test_conformal_detector_is_explained_through_its_model(gaussian):
    from algan_sklearn.conformal import ConformalDetector

    wrapped = ConformalDetector(make_pipeline(StandardScaler(), KNNDetector()), random_state=0).fit(gaussian)
    T, which = shifted_rows()
    result = feature_contributions(wrapped, T)
    direct = feature_contributions(wrapped.estimator_, T)
    assert_allclose(result.contributions, direct.contributions)
    assert np.mean(np.argmax(result.contributions, axis=1) == which) >= 0.9


def test_mixtures_along_steep_paths_still_add_up():
    # two far clusters: the mixture's responsibilities switch abruptly along the path
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(size=(300, 3)) - 4, rng.normal(size=(300, 3)) + 4])
    T = 4 * rng.normal(size=(40, 3))
    for det in [GaussianMixtureDetector(random_state=0), ALGANDetector(max_iter=100, sigma=1e30, random_state=0)]:
        result = feature_contributions(det.fit(X), T)
        delta = result.anomaly_score - result.reference_score
        assert np.all(np.abs(result.contributions.sum(axis=1) - delta) <= 1e-5 * np.maximum(np.abs(delta), 1.0))


def test_quadrature_nodes_are_computed_once_per_count(monkeypatch):
    # Gauss-Legendre nodes cost an n x n eigenproblem (seconds at 4096): cached per node count,
    # not recomputed for every call and every block of rows
    from algan_sklearn import inspection

    calls = []
    leggauss = np.polynomial.legendre.leggauss
    monkeypatch.setattr(np.polynomial.legendre, "leggauss", lambda n: calls.append(n) or leggauss(n))
    if hasattr(inspection, "_gauss_legendre"):
        inspection._gauss_legendre.cache_clear()  # counted from a cold cache
    X = np.random.RandomState(0).normal(size=(40, 3))
    gradient = lambda Z: np.cos(Z)  # noqa: E731 - the gradient of sum(sin(x))
    first = inspection.integrated_gradients(gradient, X, np.zeros(3), n_steps=64, max_batch_rows=64 * 7)
    again = inspection.integrated_gradients(gradient, X, np.zeros(3), n_steps=64)
    assert calls == [64]
    assert_allclose(first, again, rtol=1e-12)
    assert_allclose(first.sum(axis=1), np.sin(X).sum(axis=1), rtol=1e-10)

    det = GaussianMixtureDetector(max_components=2, random_state=0).fit(np.random.RandomState(1).normal(size=(200, 3)))
    for _ in range(3):
        feature_contributions(det, X[:5] * 0.5)
    assert len(calls) == len(set(calls))
    nodes, weights = inspection._gauss_legendre(64)
    assert not nodes.flags.writeable and not weights.flags.writeable  # a cached array cannot be changed


def test_ladder_head_contributions_add_up():
    """A ladder head is not piecewise linear along a line: it joins log n in the quadrature."""
    X = np.random.RandomState(2).normal(size=(300, 3))
    det = ALGANDetector(max_iter=100, discriminator_head="ladder", discriminator_hidden=(8,), random_state=0).fit(X)
    rows = X[:4] * 2.0
    result = feature_contributions(det, rows)
    expected = det.score_samples(det.reference_[None])[0] - det.score_samples(rows)
    np.testing.assert_allclose(result.contributions.sum(axis=1), expected, rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------------------- steep scores (#18 3.9)


def test_gaussian_mixture_on_binary_data_is_complete():
    # On 0/1 data the mixture's components (reg_covar=1e-3) take over from each other
    # within a tiny part of a path: 4096 nodes of the whole path missed completeness by
    # up to 4.6e-3 (96% of the rows above 1e-6); panels halved where the score turns do not.
    rng = np.random.RandomState(0)
    det = GaussianMixtureDetector(random_state=0).fit((rng.rand(300, 5) < 0.3).astype(float))
    rows = (rng.rand(60, 5) < 0.5).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = feature_contributions(det, rows)
    difference = result.anomaly_score - result.reference_score
    miss = np.abs(result.contributions.sum(axis=1) - difference) / np.maximum(np.abs(difference), 1.0)
    assert miss.max() <= 1e-6


def _steep(k=1e6):
    # a softplus that turns within 1e-6 of the path at x0 = 0.3
    def value(Z):
        return np.logaddexp(0.0, k * (Z[:, 0] - 0.3))

    def gradient(Z):
        g = np.zeros_like(Z)
        g[:, 0] = k * np.exp(-np.logaddexp(0.0, -k * (Z[:, 0] - 0.3)))  # k * sigmoid, no overflow
        return g

    return gradient, value


def test_adaptive_quadrature_warns_with_the_achieved_error(monkeypatch):
    gradient, value = _steep()
    X, reference = np.array([[1.0, 0.0], [0.1, 0.0]]), np.zeros(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        contributions = integrated_gradients_adaptive(gradient, value, X, reference)
    assert_allclose(contributions.sum(axis=1), value(X) - value(reference[None]), rtol=1e-6)
    # no panels to halve: the cap is reached without the tolerance, and it says so
    monkeypatch.setattr(inspection, "MAX_PANEL_DEPTH", 0)
    monkeypatch.setattr(inspection, "FIRST_PANELS", 1)
    with pytest.warns(UserWarning, match=r"1 of 2 rows miss completeness by up to [0-9.e-]+ of the score difference"):
        integrated_gradients_adaptive(gradient, value, X, reference, steps=(8,))
