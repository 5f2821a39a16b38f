"""GridSearchCV over sigma and alpha on a real ADBench data set, sequential and with 2 jobs."""

import os

import joblib
import numpy as np
import pytest
import torch
from conftest import fast_algan
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from algan_sklearn.metrics import make_outlier_scorer
from algan_sklearn.model_selection import InlierOnlyStratifiedKFold

GRID = {"algan__sigma": [2.0, 4.0], "algan__alpha": [0.5, 0.8]}


def torch_threads(estimator, X, y):
    """A 'scorer' that reports the torch intra-op threads of the process it runs in."""
    return float(torch.get_num_threads())


def process_id(estimator, X, y):
    """A 'scorer' that reports the id of the process it runs in."""
    return float(os.getpid())


def _search(n_jobs):
    pipe = Pipeline([("scale", StandardScaler()), ("algan", fast_algan())])
    return GridSearchCV(
        pipe,
        GRID,
        cv=InlierOnlyStratifiedKFold(n_splits=3, anomaly_label=1, shuffle=True, random_state=0),
        scoring={
            "auroc": make_outlier_scorer("roc_auc", anomaly_label=1),
            "ap": make_outlier_scorer("average_precision", anomaly_label=1),
            "threads": torch_threads,
            "pid": process_id,
        },
        refit=False,
        n_jobs=n_jobs,
        error_score="raise",
    )


def _load(shared_adbench):
    with np.load(shared_adbench("classical", "29_Pima.npz"), allow_pickle=False) as npz:
        return npz["X"], npz["y"]


@pytest.mark.slow
def test_grid_search_two_jobs_matches_one_job_without_oversubscription(shared_adbench):
    X, y = _load(shared_adbench)
    n_jobs = 2
    # Each of the 2 workers may use cpu_count // 2 threads (joblib's loky backend sets
    # OMP_NUM_THREADS in its workers, and torch reads it). The sequential run gets the
    # same per-fit thread budget, so that the two runs do the same arithmetic.
    budget = max(1, joblib.cpu_count() // n_jobs)
    with threadpool_limits(limits=budget, user_api="openmp"):
        sequential = _search(n_jobs=1).fit(X, y)
    parallel = _search(n_jobs=n_jobs).fit(X, y)

    res1, res2 = sequential.cv_results_, parallel.cv_results_
    assert [p for p in res1["params"]] == [p for p in res2["params"]]
    for metric in ("auroc", "ap"):
        for key in [f"split{i}_test_{metric}" for i in range(3)] + [f"mean_test_{metric}", f"rank_test_{metric}"]:
            np.testing.assert_array_equal(res1[key], res2[key], err_msg=key)
        assert np.all((res1[f"mean_test_{metric}"] > 0) & (res1[f"mean_test_{metric}"] < 1))

    # the parallel fits ran in worker processes whose torch threads were limited
    worker_pids = np.concatenate([res2[f"split{i}_test_pid"] for i in range(3)])
    assert os.getpid() not in worker_pids
    worker_threads = np.concatenate([res2[f"split{i}_test_threads"] for i in range(3)])
    assert np.all(worker_threads <= budget), worker_threads
    assert np.all(res1["split0_test_pid"] == os.getpid())


def test_cross_validated_score_is_the_novelty_auroc(shared_adbench):
    """One cell of cv_results_, recomputed by hand: fit on the fold's normal rows, AUROC of -score."""
    X, y = _load(shared_adbench)
    search = _search(n_jobs=1)
    search.set_params(param_grid={"algan__sigma": [4.0], "algan__alpha": [0.5]}, scoring=search.scoring["auroc"])
    search.fit(X, y)
    train, test = next(search.cv.split(X, y))
    assert np.all(y[train] == 0) and set(y[test]) == {0, 1}
    pipe = clone(search.estimator).set_params(**search.cv_results_["params"][0]).fit(X[train])
    expected = roc_auc_score(y[test], -pipe.score_samples(X[test]))
    assert search.cv_results_["split0_test_score"][0] == pytest.approx(expected)

    # the README recipe's last step: refit the best parameters on the normal rows only
    best = clone(search.estimator).set_params(**search.best_params_).fit(X[y == 0])
    assert np.all(np.isfinite(best.score_samples(X)))
