"""n_jobs sets torch's CPU threads inside fit and scoring only; the caller's setting is restored."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
from conftest import fast_algan

import algan_sklearn._detector as detector_module
import algan_sklearn._fitting as training_module


@pytest.mark.parametrize("n_jobs, expected", [(None, 1), (1, 1), (2, 2)])
def test_n_jobs_sets_threads_during_fit_and_scoring(monkeypatch, n_jobs, expected):
    seen = []
    real_train = training_module.train_algan
    real_tiles = detector_module.score_in_tiles

    def train(*args, **kwargs):
        seen.append(("fit", torch.get_num_threads()))
        return real_train(*args, **kwargs)

    def tiles(network, Z, n_workers=1):
        # scoring: n_jobs tiles at once, each forward pass single-threaded
        seen.append(("score", n_workers if torch.get_num_threads() == 1 else -1))
        return real_tiles(network, Z, n_workers)

    monkeypatch.setattr(training_module, "train_algan", train)
    monkeypatch.setattr(detector_module, "score_in_tiles", tiles)
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


# --------------------------------------------------------------------- fits in threads, ambient torch state


def _fits(seeds, X):
    return [fast_algan(random_state=s, max_iter=60).fit(X).score_samples(X) for s in seeds]


@pytest.mark.slow
def test_fits_in_threads_equal_sequential_fits():
    """Private generators: parallel fits neither race on nor change the global random state."""
    from concurrent.futures import ThreadPoolExecutor

    from joblib import Parallel, delayed

    X = np.random.RandomState(0).normal(size=(300, 4))
    seeds = list(range(8))
    sequential = _fits(seeds, X)
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda s: _fits([s], X)[0], seeds))
    joblib_threads = Parallel(n_jobs=4, backend="threading")(delayed(lambda s: _fits([s], X)[0])(s) for s in seeds)
    for a, b, c in zip(sequential, threaded, joblib_threads):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_seeded_fits_unaffected_by_unseeded_fits_in_other_threads():
    X = np.random.RandomState(2).normal(size=(200, 3))
    reference = fast_algan(random_state=5, max_iter=60).fit(X).score_samples(X)
    with ThreadPoolExecutor(4) as pool:
        jobs = [
            pool.submit(lambda s: fast_algan(random_state=s, max_iter=60).fit(X).score_samples(X), s)
            for s in [None, 5, None, 5, None, 5]
        ]
        results = [j.result() for j in jobs]
    for scores in results[1::2]:
        np.testing.assert_array_equal(scores, reference)


@pytest.mark.parametrize(
    "context",
    [torch.no_grad, torch.inference_mode, lambda: torch.autograd.set_grad_enabled(False)],
    ids=["no_grad", "inference_mode", "grad_disabled"],
)
def test_fit_inside_a_no_grad_context_matches_a_clean_fit(context):
    X = np.random.RandomState(2).normal(size=(200, 3))
    clean = fast_algan().fit(X).score_samples(X)
    with context():
        inside = fast_algan().fit(X)
        scores = inside.score_samples(X)
    np.testing.assert_array_equal(scores, clean)
    np.testing.assert_array_equal(inside.score_samples(X), clean)


def test_fit_under_float64_default_dtype_matches_a_clean_fit():
    X = np.random.RandomState(3).normal(size=(200, 3))
    clean = fast_algan().fit(X)
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        det = fast_algan().fit(X)
        scores = det.score_samples(X)
        rows = det.sample(4, random_state=0)
    finally:
        torch.set_default_dtype(saved)
    np.testing.assert_array_equal(scores, clean.score_samples(X))
    np.testing.assert_array_equal(rows, clean.sample(4, random_state=0))


def test_overlapping_thread_contexts_restore_the_callers_setting():
    from algan_sklearn.utils._torch import torch_threads

    saved = torch.get_num_threads()
    outer = torch_threads(1)
    inner = torch_threads(1)
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)  # exits first, as a faster thread would
    assert torch.get_num_threads() == 1  # the other context still runs with its setting
    inner.__exit__(None, None, None)
    assert torch.get_num_threads() == saved
