"""Shared fixtures and fast detector factories for the test suite.

Test modules import the helpers with ``from conftest import ...`` (pytest puts this
folder on ``sys.path``).
"""

import warnings

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
