"""ONNX export (``algan_sklearn.onnx``): onnxruntime scores as the package does."""


import numpy as np
import onnxruntime as ort
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler, RobustScaler, StandardScaler

from algan_sklearn import ALGANDetector, KNNDetector
from algan_sklearn.conformal import ConformalDetector
from algan_sklearn.model_selection import novelty_split
from algan_sklearn.onnx import to_onnx


def session_of(model):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["label", "score_samples"]
    return session


def run(model, X):
    return session_of(model).run(None, {"X": np.asarray(X, dtype=np.float32)})


def assert_same_as_package(estimator, X, model=None):
    label, score = run(to_onnx(estimator) if model is None else model, X)
    X32 = np.asarray(X, dtype=np.float32)
    assert label.dtype == np.int64 and score.dtype == np.float32 and score.shape == (len(X),)
    expected = estimator.score_samples(X32)
    # within 1e-4 relative, or 1e-4 absolute (nats) for scores under 1 in magnitude
    assert np.all(np.abs(score - expected) <= 1e-4 * np.maximum(np.abs(expected), 1.0))
    assert_array_equal(label, estimator.predict(X32))


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return novelty_split(X, y, random_state=0, scale=False)


@pytest.fixture(scope="module")
def small():
    """A detector fitted on 300 x 3 Gaussian rows, and the rows."""
    X = np.random.RandomState(0).normal(size=(300, 3))
    return ALGANDetector(max_iter=50, random_state=0).fit(X), X


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"max_centres": 64, "latent_mixing": "coordinate", "scaling": "robust"},
        {"alpha": 1.0, "buffer_size": 0, "scaling": None},
        {"contamination": 0.1},
        {"discriminator_head": "ladder", "buffer_size": 2},
    ],
    ids=["default", "coordinate-robust", "no-pseudo-anomalies", "contamination", "ladder"],
)
def test_detector_and_pipelines_match_the_package(cancer, params):
    X_train, X_test, _ = cancer
    far = np.vstack([X_test, 100 * X_test[:5], np.full((1, X_test.shape[1]), 1e30)])
    det = ALGANDetector(max_iter=50, random_state=0, **params).fit(X_train)
    assert_same_as_package(det, far)
    for scaler in (StandardScaler(), RobustScaler()):
        assert_same_as_package(
            make_pipeline(scaler, ALGANDetector(max_iter=50, random_state=0, **params)).fit(X_train), far
        )


def test_any_batch_size_scores_alike(small):
    # the score network is traced at one tile's rows; the batch axis is dynamic
    det, X = small
    model = to_onnx(det)
    rows = np.random.RandomState(1).normal(size=(3000, 3)) * 2
    for n in (1, 3, 3000):
        assert_same_as_package(det, rows[:n], model)


def test_the_graph_follows_the_score_network(small):
    # the graph is exported from ``score_network_``: a new score term needs no ONNX code
    det, X = small

    class WithNewTerm(torch.nn.Module):
        def __init__(self, network):
            super().__init__()
            self.network = network

        def forward(self, x):
            return self.network(x) - 0.3 * (x * x).sum(dim=1) + torch.logaddexp(x[:, 0], x[:, 1])

    original = det.score_network_
    det.score_network_ = WithNewTerm(original).eval()
    try:
        rows = np.random.RandomState(2).normal(size=(50, 3)) * 2
        assert_same_as_package(det, rows)
        with torch.no_grad():
            before = original(torch.tensor(det._scale(rows))).numpy()
        assert np.abs(run(to_onnx(det), rows)[1] - before).max() > 0.1  # the new term is in the graph
    finally:
        det.score_network_ = original


def test_float32_overflow_gives_a_finite_outlier_score():
    X = np.random.RandomState(0).normal(size=(200, 3)) * 0.01
    det = ALGANDetector(max_iter=50, random_state=0).fit(X)
    rows = np.array([[1e37, 0, 0], [-3e38, 1e38, 0], [0, 0, 0]], dtype=np.float32)
    label, score = run(to_onnx(det), rows)
    assert np.isfinite(score).all()
    assert_array_equal(label, det.predict(rows))
    assert score[:2].max() < score[2]


def test_constant_columns_follow_the_package_rule():
    rng = np.random.RandomState(0)
    X = np.c_[rng.normal(size=(300, 2)), np.full(300, 20.0), np.full(300, 0.1)]
    det = ALGANDetector(max_iter=50, random_state=0).fit(X)
    rows = np.array([[0, 0, 20.0, 0.1], [0, 0, 23.0, 0.1], [0, 0, 23.0, 0.2], [5, 5, 20.0, 0.1]])
    assert_same_as_package(det, rows)
    assert_array_equal(run(to_onnx(det), rows)[0], [1, -1, -1, -1])
    every = ALGANDetector(max_iter=10).fit(np.tile([[1.0, 2.0]], (40, 1)))
    assert_same_as_package(every, [[1.0, 2.0], [1.0, 3.0], [0.0, 0.0]])


def test_a_nan_row_is_an_outlier_with_score_nan():
    # #18 3.3: the package raises for NaN; the graph must not call such a row an inlier,
    # also where the NaN is in a constant column (which the detector otherwise ignores)
    rng = np.random.RandomState(0)
    X = np.c_[rng.normal(size=(300, 2)), np.full(300, 20.0)]
    rows = np.array([[0, 0, 20.0], [np.nan, 0, 20.0], [0, 0, np.nan], [np.nan, np.nan, np.nan], [0.1, 0, 20.0]])
    det = ALGANDetector(max_iter=50, random_state=0).fit(X)
    for estimator in (det, make_pipeline(StandardScaler(), ALGANDetector(max_iter=50, random_state=0)).fit(X)):
        label, score = run(to_onnx(estimator), rows)
        assert_array_equal(label, [1, -1, -1, -1, 1])
        assert np.isnan(score[1:4]).all() and np.isfinite(score[[0, 4]]).all()
        assert_same_as_package(estimator, rows[[0, 4]])
        with pytest.raises(ValueError, match="NaN"):
            estimator.score_samples(rows)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ALGANDetector(max_iter=50, random_state=0),
        lambda: ALGANDetector(max_iter=50, random_state=0, scaling="robust"),
        lambda: make_pipeline(StandardScaler(), ALGANDetector(max_iter=50, random_state=0)),
        lambda: make_pipeline(RobustScaler(), ALGANDetector(max_iter=50, random_state=0)),
        lambda: make_pipeline(MaxAbsScaler(), ALGANDetector(max_iter=50, random_state=0)),
    ],
    ids=["standard", "robust", "StandardScaler", "RobustScaler", "MaxAbsScaler"],
)
def test_offsets_lose_no_precision(make):
    # #18 3.4: features 1e5 + N(0, 1). The detector's scaling runs in float64 inside the
    # graph, and scikit-learn's scalers in front as scikit-learn computes them (skl2onnx's
    # own round a centre to float32), so scores stay within 1e-4 and no label flips
    # (float32 scaling moved them by 3.8e-3 and flipped 10 labels in 20,000)
    rng = np.random.RandomState(0)
    X_train = 1e5 + rng.normal(size=(500, 4))
    X_new = (1e5 + 1.5 * rng.normal(size=(5_000, 4))).astype(np.float32)
    estimator = make().fit(X_train)
    assert 0.1 < np.mean(estimator.predict(X_new) == -1) < 0.9  # labels on both sides, to flip
    assert_same_as_package(estimator, X_new)


def test_only_algan_detectors_convert():
    # #18 3.13: a clear error naming what is supported, not skl2onnx's missing shape calculator
    X = np.random.RandomState(0).normal(size=(100, 3))
    unsupported = [
        KNNDetector(),
        KNNDetector().fit(X),
        ConformalDetector(ALGANDetector(max_iter=10, random_state=0), random_state=0).fit(X),
        make_pipeline(StandardScaler(), KNNDetector()).fit(X),
    ]
    for estimator in unsupported:
        with pytest.raises(TypeError, match="ALGANDetector, or a Pipeline whose last step is an ALGANDetector"):
            to_onnx(estimator)
    with pytest.raises(NotFittedError):
        to_onnx(ALGANDetector())
    with pytest.raises(NotFittedError):
        to_onnx(make_pipeline(StandardScaler(), ALGANDetector()))


def test_a_sample_of_rows_gives_the_number_of_features(small):
    # #18 3.13: skl2onnx's own convention, ``to_onnx(model, X)``
    det, X = small
    label, score = run(to_onnx(det, X), X[:20])
    assert_array_equal(label, det.predict(X[:20].astype(np.float32)))
    assert_array_equal(run(to_onnx(det, X.tolist()), X[:20])[1], score)
    with pytest.raises(ValueError, match="the sample has 2 features, but the estimator was fitted on 3"):
        to_onnx(det, X[:, :2])
    with pytest.raises(TypeError, match=r"an int or a sample of rows of shape \(n_samples, n_features\)"):
        to_onnx(det, X[0])


def test_input_must_be_float32(small):
    # #18 3.15: documented; onnxruntime's own error, which the converter cannot change
    det, X = small
    session = session_of(to_onnx(det))
    with pytest.raises(Exception, match="data type"):
        session.run(None, {"X": X[:5]})
    assert session.run(None, {"X": X[:5].astype(np.float32)})[0].shape == (5,)


@pytest.mark.parametrize("opset", [13, 17, 20])
def test_supported_opsets(small, opset):
    det, X = small
    model = to_onnx(det, target_opset=opset)
    assert {o.version for o in model.opset_import if o.domain in ("", "ai.onnx")} == {opset}
    assert_same_as_package(det, X[:50], model)


def test_an_unsupported_opset_is_a_clear_error(small):
    det, _ = small
    with pytest.raises(ValueError, match="opsets 13 to 20"):
        to_onnx(det, target_opset=12)


@pytest.mark.slow
def test_ten_thousand_rows_of_a_real_data_set(shared_adbench):
    data = np.load(shared_adbench("classical", "22_magic.gamma.npz"))
    X_train, X_test, _ = novelty_split(data["X"], data["y"], random_state=0, scale=False)
    assert len(X_test) == 10_000
    det = ALGANDetector(max_iter=500, random_state=0).fit(X_train)
    assert_same_as_package(det, X_test)
    pipe = make_pipeline(StandardScaler(), ALGANDetector(max_iter=500, random_state=0)).fit(X_train)
    assert_same_as_package(pipe, X_test)
