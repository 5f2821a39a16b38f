"""Fitting steps that grow as the number of features squared warn first (``utils/_memory.py``, #18 3.12).

GaussianMixtureDetector's Ledoit-Wolf Gaussian on 30 x 3000 took 373 MiB and 59 s, and
ALGANDetector's covariance-shaped kernels on 30 x 2000 took 1.1 GB, without a word.
The threshold is lowered here, so that a few features stand for thousands.
"""

import warnings

import numpy as np
import pytest
from conftest import fast_algan

import algan_sklearn.utils._memory as memory
from algan_sklearn import GaussianMixtureDetector


@pytest.fixture
def low_threshold(monkeypatch):
    monkeypatch.setattr(memory, "QUADRATIC_FEATURES", 5)


X = np.random.RandomState(0).normal(size=(40, 8))


def test_message_names_features_memory_and_remedy():
    with pytest.warns(UserWarning, match=r"on 3000 features builds 3000 x 3000 matrices: about 275 MiB.*Use less"):
        memory.warn_if_quadratic(3000, 4, "A step", "Use less.")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        memory.warn_if_quadratic(memory.QUADRATIC_FEATURES, 4, "A step", "Use less.")


def test_algan_covariance_kernels_warn_before_fitting(low_threshold):
    with pytest.warns(UserWarning, match=r"covariance-shaped kernels.*8 features.*MiB.*kernel_shape='diagonal'"):
        fast_algan(max_iter=2, kernel_shape="covariance", calibration_fraction=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fast_algan(max_iter=2, kernel_shape="diagonal", calibration_fraction=0).fit(X)


def test_gmm_ledoit_wolf_gaussian_warns_before_fitting(low_threshold):
    with pytest.warns(UserWarning, match=r"Ledoit-Wolf Gaussian.*8 features.*MiB.*PCA"):
        GaussianMixtureDetector(max_features=4, calibration_fraction=0, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the mixture on 8 features builds no large matrix
        GaussianMixtureDetector(max_components=1, calibration_fraction=0, random_state=0).fit(X)
