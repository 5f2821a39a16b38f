"""n_jobs sets torch's CPU threads inside fit and scoring only; the caller's setting is restored."""

import numpy as np
import pytest
import torch
from conftest import fast_algan

import algan_sklearn._detector as detector_module


@pytest.mark.parametrize("n_jobs, expected", [(None, 1), (1, 1), (2, 2)])
def test_n_jobs_sets_threads_during_fit_and_scoring(monkeypatch, n_jobs, expected):
    seen = []
    real_train = detector_module.train_algan
    real_tiles = detector_module.ALGANDetector._score_tiles

    def train(*args, **kwargs):
        seen.append(("fit", torch.get_num_threads()))
        return real_train(*args, **kwargs)

    def tiles(self, X, n_workers=1):
        # scoring: n_jobs tiles at once, each forward pass single-threaded
        seen.append(("score", n_workers if torch.get_num_threads() == 1 else -1))
        return real_tiles(self, X, n_workers)

    monkeypatch.setattr(detector_module, "train_algan", train)
    monkeypatch.setattr(detector_module.ALGANDetector, "_score_tiles", tiles)
    before = torch.get_num_threads()
    caller = 3 if before != 3 else 4
    torch.set_num_threads(caller)
    try:
        X = np.random.RandomState(0).normal(size=(50, 3))
        det = fast_algan(n_jobs=n_jobs).fit(X)
        det.score_samples(X)
        assert torch.get_num_threads() == caller
    finally:
        torch.set_num_threads(before)
    assert {phase for phase, _ in seen} == {"fit", "score"}
    assert all(n == expected for _, n in seen), seen


def test_n_jobs_validated_in_fit():
    X = np.random.RandomState(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match="The 'n_jobs' parameter of ALGANDetector must be"):
        fast_algan(n_jobs="many").fit(X)


def test_scores_do_not_depend_on_n_jobs():
    X = np.random.RandomState(0).normal(size=(5000, 3))  # three tiles: the pool is used
    det = fast_algan().fit(X[:200])
    one = det.score_samples(X)
    det.set_params(n_jobs=2)
    np.testing.assert_array_equal(det.score_samples(X), one)
    np.testing.assert_array_equal(det.score_samples(X[4000:]), one[4000:])
