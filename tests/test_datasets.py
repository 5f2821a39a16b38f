"""Tests of the data loaders."""


import numpy as np
import pytest

from algan_sklearn.datasets import iter_adbench_dir, list_adbench_dir, load_adbench_npz, load_breast_cancer_sklearn


def test_load_breast_cancer_sklearn():
    X, y = load_breast_cancer_sklearn()
    assert X.shape == (569, 30) and X.dtype == np.float64
    assert y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
    assert y.sum() == 212  # malignant = anomaly
    from sklearn.datasets import load_breast_cancer

    assert np.array_equal(y == 1, load_breast_cancer().target == 0)


def test_load_adbench_npz(tmp_path):
    path = tmp_path / "s.npz"
    np.savez(path, X=np.arange(6, dtype=np.int16).reshape(3, 2), y=np.array([[0], [1], [0]], dtype=np.int32))
    X, y = load_adbench_npz(path)
    assert X.dtype == np.float64 and X.shape == (3, 2)
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 0]


@pytest.mark.parametrize(
    "arrays, match",
    [
        ({"X": np.zeros((3, 2))}, "no array named 'y'"),
        ({"X": np.zeros(3), "y": np.zeros(3)}, "X must be 2-D"),
        ({"X": np.zeros((3, 2)), "y": np.zeros(4)}, "one label per row"),
        ({"X": np.zeros((3, 2)), "y": np.array([0, 1, 2])}, r"only 0 \(normal\) and 1"),
        ({"X": np.array([[0.0], [np.nan]]), "y": np.zeros(2)}, "NaN or infinite"),
        ({"X": np.array([["a"], ["b"]]), "y": np.zeros(2)}, "must be numeric"),
    ],
)
def test_load_adbench_npz_errors(tmp_path, arrays, match):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=match):
        load_adbench_npz(path)


def test_load_adbench_npz_not_an_archive(tmp_path):
    with pytest.raises(FileNotFoundError, match="No such data file"):
        load_adbench_npz(tmp_path / "missing.npz")
    np.save(tmp_path / "one.npy", np.zeros(3))
    with pytest.raises(ValueError, match="not an .npz archive"):
        load_adbench_npz(tmp_path / "one.npy")
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(ValueError, match="Cannot read"):
        load_adbench_npz(tmp_path / "text.npz")


def test_iter_adbench_dir(tmp_path):
    for name in ("10_cover", "2_annthyroid", "1_ALOI"):
        np.savez(tmp_path / f"{name}.npz", X=np.zeros((2, 1)), y=np.array([0, 1]))
    (tmp_path / "notes.txt").write_text("not data")
    assert [p.name for p in list_adbench_dir(tmp_path)] == ["1_ALOI.npz", "2_annthyroid.npz", "10_cover.npz"]
    assert [name for name, _, _ in iter_adbench_dir(tmp_path)] == ["1_ALOI", "2_annthyroid", "10_cover"]
    with pytest.raises(FileNotFoundError, match="No such data folder"):
        list(iter_adbench_dir(tmp_path / "nope"))
    with pytest.raises(ValueError, match="No files matching"):
        list_adbench_dir(tmp_path, pattern="*.csv")


def test_shared_adbench_files_load(shared_adbench):
    paths = list_adbench_dir(shared_adbench("classical"))
    assert paths[0].name == "1_ALOI.npz"
    X, y = load_adbench_npz(shared_adbench("classical", "29_Pima.npz"))
    assert X.shape == (768, 8) and y.sum() == 268
