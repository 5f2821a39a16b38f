"""The grid search and chunked scoring on a local Dask cluster (the ``distributed`` extra).

The test starts and stops its own ``dask.distributed.LocalCluster`` of 2 worker
processes; the same code runs on a multi-machine cluster given that cluster's
``Client`` (see docs/recipes_distributed.rst).
"""

import logging
import os

import joblib
import numpy as np
import pytest
import torch
from conftest import fast_algan
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from algan_sklearn.metrics import make_outlier_scorer
from algan_sklearn.model_selection import InlierOnlyStratifiedKFold
from algan_sklearn.parallel import score_in_chunks

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")


def torch_threads(estimator, X, y):
    """A 'scorer' that reports the torch intra-op threads of the process it runs in."""
    return float(torch.get_num_threads())


def process_id(estimator, X, y):
    """A 'scorer' that reports the id of the process it runs in."""
    return float(os.getpid())


def _data():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(size=(240, 4)), rng.normal(4.0, 1.0, size=(24, 4))])
    y = np.r_[np.zeros(240, dtype=int), np.ones(24, dtype=int)]
    return X, y


def _search():
    return GridSearchCV(
        Pipeline([("scale", StandardScaler()), ("algan", fast_algan())]),
        {"algan__sigma": [2.0, 4.0], "algan__alpha": [0.5, 0.8]},
        cv=InlierOnlyStratifiedKFold(n_splits=3, anomaly_label=1, shuffle=True, random_state=0),
        scoring={
            "auroc": make_outlier_scorer("roc_auc", anomaly_label=1),
            "threads": torch_threads,
            "pid": process_id,
        },
        refit=False,
        error_score="raise",
    )


@pytest.mark.slow
def test_grid_search_and_chunked_scoring_on_local_cluster():
    X, y = _data()
    with threadpool_limits(limits=1, user_api="openmp"):  # the workers' thread budget, see below
        sequential = _search().set_params(n_jobs=1).fit(X, y)
        det = fast_algan().fit(X[y == 0])
        expected_scores = det.score_samples(X)

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with joblib.parallel_backend("dask"):
            on_cluster = _search().fit(X, y)
        worker_pids = set(client.run(os.getpid).values())
        lazy = score_in_chunks(det, da.from_array(X, chunks=(100, -1)))
        scores = client.compute(lazy).result()

    assert len(worker_pids) == 2
    res1, res2 = sequential.cv_results_, on_cluster.cv_results_
    assert res1["params"] == res2["params"]
    for key in [f"split{i}_test_auroc" for i in range(3)] + ["mean_test_auroc", "rank_test_auroc"]:
        np.testing.assert_array_equal(res1[key], res2[key], err_msg=key)
    assert np.all(res1["mean_test_auroc"] > 0.9)

    # every fit ran in a worker process, where dask's nanny sets OMP_NUM_THREADS=1
    pids = np.concatenate([res2[f"split{i}_test_pid"] for i in range(3)])
    assert set(pids.astype(int)) <= worker_pids
    threads = np.concatenate([res2[f"split{i}_test_threads"] for i in range(3)])
    np.testing.assert_array_equal(threads, 1.0)

    np.testing.assert_allclose(scores, expected_scores)
