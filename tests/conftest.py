"""Shared fixtures and fast detector factories for the test suite.

Test modules import the helpers with ``from conftest import ...`` (pytest puts this
folder on ``sys.path``).
"""

import io
import itertools
import pickle
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone

from algan_sklearn import ALGANDetector, GaussianMixtureDetector, KNNDetector, ZScoreDetector

# The tests train tiny networks: one thread is faster than several there, and the
# suite must share two cores with other jobs without oversubscribing them.
torch.set_num_threads(1)

#: ALGAN parameters small enough for the test suite (a fraction of a second per fit).
FAST_ALGAN = {
    "discriminator_hidden": (16,),
    "max_iter": 30,
    "batch_size": 32,
    "buffer_size": 2,
    "random_state": 0,
}


#: The shared ADBench-style data sets, in a folder beside the repository (CI copies them there).
SHARED_ADBENCH = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "adbench"


@pytest.fixture
def shared_adbench():
    """A function from parts of a path under ``SHARED_ADBENCH`` to that path, which skips the test if it is absent.

    ``shared_adbench("classical", "29_Pima.npz")``: the tests that need the shared data
    sets skip cleanly on a checkout without them.
    """

    def path(*parts):
        found = SHARED_ADBENCH.joinpath(*parts)
        if not found.exists():
            pytest.skip(f"shared data set not found: {found}")
        return found

    return path


def fast_algan(**params):
    """An ALGANDetector with the fast test parameters, overridden by ``params``."""
    return ALGANDetector(**{**FAST_ALGAN, **params})


def make_detectors():
    """One fast, unfitted instance of every detector of the package."""
    return [fast_algan(), KNNDetector(n_neighbors=3), ZScoreDetector(), GaussianMixtureDetector(random_state=0)]


def detector_id(det):
    return type(det).__name__


@pytest.fixture(params=make_detectors(), ids=detector_id)
def detector(request):
    """Each detector of the package, as a fresh unfitted clone."""
    return clone(request.param)


@pytest.fixture
def blob():
    """Toy normal data: 200 rows from a 4-D standard normal."""
    return np.random.RandomState(42).normal(size=(200, 4))


@pytest.fixture
def no_warnings():
    """Turn every warning into an error for the duration of the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def assert_finite_scores(scores, n):
    assert scores.shape == (n,)
    assert scores.dtype == np.float64
    assert np.all(np.isfinite(scores))


def probe_rows(n_features, seed=1):
    """Rows to score: near the data, farther out, and far away."""
    rng = np.random.RandomState(seed)
    return np.vstack(
        [rng.normal(size=(5, n_features)), 5 * rng.normal(size=(5, n_features)), np.full((1, n_features), 50.0)]
    )


def far_directions(n_features, seed=0, n_random=8):
    """Unit vectors: both ways along every axis, every diagonal, and random directions."""
    axes = np.vstack([np.eye(n_features), -np.eye(n_features)])
    diagonals = np.array(list(itertools.product([-1.0, 1.0], repeat=n_features))) / np.sqrt(n_features)
    random = np.random.RandomState(seed).normal(size=(n_random, n_features))
    random /= np.linalg.norm(random, axis=1, keepdims=True)
    return np.vstack([axes, diagonals, random])


def round_trips(obj):
    """(how, copy) of ``obj`` after a pickle and a joblib round trip."""
    yield "pickle", pickle.loads(pickle.dumps(obj))
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    buffer.seek(0)
    yield "joblib", joblib.load(buffer)
