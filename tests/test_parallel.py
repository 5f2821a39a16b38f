"""Chunked scoring of data larger than memory (algan_sklearn.parallel.score_in_chunks)."""

import numpy as np
import pytest
from conftest import fast_algan
from sklearn.exceptions import NotFittedError

from algan_sklearn import ALGANDetector
from algan_sklearn.parallel import score_in_chunks

N_ROWS, N_FEATURES = 500, 4


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    return rng.normal(size=(N_ROWS, N_FEATURES))


@pytest.fixture(scope="module")
def fitted(data):
    """A fast ALGAN fitted on an array (no feature names) and its reference scores."""
    det = fast_algan().fit(data[:300])
    return det, det.score_samples(data)


def test_in_memory_chunks(data, fitted):
    det, expected = fitted
    chunks = (data[i : i + 120] for i in range(0, N_ROWS, 120))
    np.testing.assert_allclose(score_in_chunks(det, chunks), expected)
    np.testing.assert_allclose(score_in_chunks(det, data, batch_rows=7), expected)
    np.testing.assert_allclose(score_in_chunks(det, data, method="decision_function"), det.decision_function(data))
    np.testing.assert_array_equal(score_in_chunks(det, [data[:10].tolist()], method="predict"), det.predict(data[:10]))


def test_memmap_and_npy_npz_files(data, fitted, tmp_path):
    det, expected = fitted
    np.save(tmp_path / "all.npy", data)
    mm = np.load(tmp_path / "all.npy", mmap_mode="r")
    np.testing.assert_allclose(score_in_chunks(det, mm, batch_rows=64), expected)
    np.testing.assert_allclose(score_in_chunks(det, tmp_path / "all.npy", batch_rows=64), expected)

    paths = []
    for i, start in enumerate(range(0, N_ROWS, 200)):
        path = tmp_path / f"part{i}.npz"
        np.savez(path, X=data[start : start + 200], y=np.zeros(len(data[start : start + 200])))
        paths.append(str(path))
    np.testing.assert_allclose(score_in_chunks(det, paths), expected)
    np.savez(tmp_path / "other.npz", features=data)
    np.testing.assert_allclose(score_in_chunks(det, tmp_path / "other.npz", npz_key="features"), expected)
    with pytest.raises(KeyError, match="no array 'X'"):
        score_in_chunks(det, tmp_path / "other.npz")


def test_parquet_and_csv_files(data, fitted, tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    det, expected = fitted
    names = [f"f{j}" for j in range(N_FEATURES)]
    frame = pd.DataFrame(data, columns=names).assign(label=0)
    paths = []
    for i, start in enumerate(range(0, N_ROWS, 250)):
        path = tmp_path / f"part{i}.parquet"
        frame.iloc[start : start + 250].to_parquet(path, row_group_size=50)
        paths.append(path)
    # fitted without feature names: name the feature columns
    np.testing.assert_allclose(score_in_chunks(det, paths, columns=names, batch_rows=30), expected)

    # fitted with feature names: the label column is left out by itself, in any column order
    det_named = fast_algan().fit(frame[names].iloc[:300])
    shuffled = frame[["label", "f2", "f0", "f3", "f1"]]
    shuffled.to_parquet(tmp_path / "shuffled.parquet")
    shuffled.to_csv(tmp_path / "shuffled.csv", index=False)
    expected_named = det_named.score_samples(frame[names])
    np.testing.assert_allclose(score_in_chunks(det_named, tmp_path / "shuffled.parquet", batch_rows=77), expected_named)
    np.testing.assert_allclose(score_in_chunks(det_named, tmp_path / "shuffled.csv", batch_rows=77), expected_named)
    np.testing.assert_allclose(score_in_chunks(det_named, [shuffled.iloc[:100], shuffled.iloc[100:]]), expected_named)


def test_dask_array_and_dataframe(data, fitted):
    da = pytest.importorskip("dask.array")
    dd = pytest.importorskip("dask.dataframe")
    import dask
    import pandas as pd

    det, expected = fitted
    X = da.from_array(data, chunks=(130, 2))  # column chunks get merged
    scores = score_in_chunks(det, X)
    assert isinstance(scores, da.Array) and scores.shape == (N_ROWS,)
    with dask.config.set(scheduler="threads"):
        np.testing.assert_allclose(scores.compute(), expected)

    names = [f"f{j}" for j in range(N_FEATURES)]
    frame = pd.DataFrame(data, columns=names, index=np.arange(N_ROWS) * 10).assign(label=1)
    det_named = fast_algan().fit(frame[names])
    lazy = score_in_chunks(det_named, dd.from_pandas(frame, npartitions=4))
    with dask.config.set(scheduler="sync"):
        result = lazy.compute()
    pd.testing.assert_index_equal(result.index, frame.index)
    np.testing.assert_allclose(result.to_numpy(), det_named.score_samples(frame[names]))

    with pytest.raises(ValueError, match="must be 2-D"):
        score_in_chunks(det, da.zeros(10, chunks=5))


def test_dask_collections_with_empty_partitions(data):
    da = pytest.importorskip("dask.array")
    dd = pytest.importorskip("dask.dataframe")
    import dask
    import pandas as pd

    from algan_sklearn import ZScoreDetector

    names = [f"f{j}" for j in range(N_FEATURES)]
    frame = pd.DataFrame(data, columns=names)
    det = ZScoreDetector().fit(data[:300])
    det_named = ZScoreDetector().fit(frame.iloc[:300])
    kept = frame.iloc[:100]  # rows of the first partition only: three empty ones after filtering
    lazy = dd.from_pandas(frame, npartitions=4)
    lazy = lazy[lazy.index.to_series() < 100]
    X = da.concatenate([da.from_array(data[:50], chunks=(25, -1)), da.zeros((0, N_FEATURES)), data[50:60]])
    with dask.config.set(scheduler="sync"):
        for est in (det, det_named):
            result = score_in_chunks(est, lazy).compute()
            pd.testing.assert_index_equal(result.index, kept.index)
            np.testing.assert_allclose(result.to_numpy(), det.score_samples(data[:100]))  # same fit, named or not
        np.testing.assert_allclose(score_in_chunks(det, X).compute(), det.score_samples(data[:60]))
        np.testing.assert_array_equal(score_in_chunks(det, X, method="predict").compute(), det.predict(data[:60]))
    # in-memory chunks: an empty one scores nothing, as in Dask
    chunks = [data[:10], data[10:10], frame.iloc[10:10], data[10:20]]
    np.testing.assert_allclose(score_in_chunks(det, chunks), det.score_samples(data[:20]))


def test_errors(data, fitted, tmp_path):
    det, _ = fitted
    with pytest.raises(NotFittedError):
        score_in_chunks(ALGANDetector(), data)
    with pytest.raises(ValueError, match="method must be one of"):
        score_in_chunks(det, data, method="fit")
    with pytest.raises(ValueError, match="batch_rows must be a positive int"):
        score_in_chunks(det, data, batch_rows=0)
    with pytest.raises(ValueError, match="suffix must be one of"):
        score_in_chunks(det, tmp_path / "data.txt")
    with pytest.raises(ValueError, match="No rows to score"):
        score_in_chunks(det, [])
