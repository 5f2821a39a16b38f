"""ONNX export (``algan_sklearn.onnx``): onnxruntime scores as the package does."""

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_breast_cancer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import RobustScaler, StandardScaler

from algan_sklearn import ALGANDetector
from algan_sklearn.model_selection import novelty_split
from algan_sklearn.onnx import to_onnx

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "adbench" / "classical"


def run(model, X):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["label", "score_samples"]
    return session.run(None, {"X": np.asarray(X, dtype=np.float32)})


def assert_same_as_package(estimator, X):
    label, score = run(to_onnx(estimator), X)
    X32 = np.asarray(X, dtype=np.float32)
    assert label.dtype == np.int64 and score.shape == (len(X),)
    expected = estimator.score_samples(X32)
    # within 1e-4 relative, or 1e-4 absolute (nats) for scores under 1 in magnitude
    assert np.all(np.abs(score - expected) <= 1e-4 * np.maximum(np.abs(expected), 1.0))
    assert_array_equal(label, estimator.predict(X32))


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return novelty_split(X, y, random_state=0, scale=False)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"n_components": 3, "latent_mixing": "coordinate", "scaling": "robust"},
        {"alpha": 1.0, "buffer_size": 0, "scaling": None},
        {"contamination": 0.1},
    ],
    ids=["default", "mixture-coordinate-robust", "no-pseudo-anomalies", "contamination"],
)
def test_detector_and_pipelines_match_the_package(cancer, params):
    X_train, X_test, _ = cancer
    far = np.vstack([X_test, 100 * X_test[:5], np.full((1, X_test.shape[1]), 1e30)])
    det = ALGANDetector(max_iter=200, random_state=0, **params).fit(X_train)
    assert_same_as_package(det, far)
    for scaler in (StandardScaler(), RobustScaler()):
        assert_same_as_package(
            make_pipeline(scaler, ALGANDetector(max_iter=200, random_state=0, **params)).fit(X_train), far
        )


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
    det = ALGANDetector(max_iter=100, random_state=0).fit(X)
    rows = np.array([[0, 0, 20.0, 0.1], [0, 0, 23.0, 0.1], [0, 0, 23.0, 0.2], [5, 5, 20.0, 0.1]])
    assert_same_as_package(det, rows)
    assert_array_equal(run(to_onnx(det), rows)[0], [1, -1, -1, -1])
    every = ALGANDetector(max_iter=10).fit(np.tile([[1.0, 2.0]], (40, 1)))
    assert_same_as_package(every, [[1.0, 2.0], [1.0, 3.0], [0.0, 0.0]])


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "22_magic.gamma.npz").exists(), reason="needs ../shared/datasets/adbench")
def test_ten_thousand_rows_of_a_real_data_set():
    data = np.load(SHARED / "22_magic.gamma.npz")
    X_train, X_test, _ = novelty_split(data["X"], data["y"], random_state=0, scale=False)
    assert len(X_test) == 10_000
    det = ALGANDetector(max_iter=500, random_state=0).fit(X_train)
    assert_same_as_package(det, X_test)
    pipe = make_pipeline(StandardScaler(), ALGANDetector(max_iter=500, random_state=0)).fit(X_train)
    assert_same_as_package(pipe, X_test)
