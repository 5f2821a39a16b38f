"""``device='auto'``, and fitted models that pickle and load on a machine without a GPU."""

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from conftest import fast_algan

from algan_sklearn import ALGANDetector
from algan_sklearn.utils._torch import resolve_device

#: Loads a pickled detector in a fresh interpreter that sees no GPU, and saves its scores.
LOAD_WITHOUT_GPU = textwrap.dedent(
    """
    import pickle, sys
    import numpy as np, torch
    assert not torch.cuda.is_available()
    with open(sys.argv[1], "rb") as f:
        det = pickle.load(f)
    assert det.device_ == torch.device("cpu"), det.device_
    assert {p.device.type for p in det.discriminators_.parameters()} == {"cpu"}
    np.save(sys.argv[3], det.score_samples(np.load(sys.argv[2])))
    """
)


def _score_in_process_without_gpu(det, X, tmp_path):
    model, data, out = tmp_path / "model.pkl", tmp_path / "X.npy", tmp_path / "scores.npy"
    with open(model, "wb") as f:
        pickle.dump(det, f)
    np.save(data, X)
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run(
        [sys.executable, "-c", LOAD_WITHOUT_GPU, str(model), str(data), str(out)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return np.load(out)


def test_auto_resolves_to_cuda_only_when_available(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    with pytest.raises(ValueError, match="torch.cuda.is_available"):
        resolve_device("cuda")


def test_auto_device_fit_keeps_the_parameter(blob):
    det = fast_algan(device="auto").fit(blob)
    assert det.get_params()["device"] == "auto"  # stored as given, resolved in fit
    assert det.device_.type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_gpu_raises(blob):
    with pytest.raises(ValueError, match="torch.cuda.is_available"):
        ALGANDetector(device="cuda", max_iter=1).fit(blob)


def test_indexed_cuda_device_is_a_valid_parameter(blob, monkeypatch):
    # #18 3.15: 'cuda:0' was rejected by the parameter constraints although
    # resolve_device accepts every device string torch understands
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match=r"device='cuda:0' asks for CUDA, but torch.cuda.is_available\(\) is False"):
        ALGANDetector(device="cuda:0", max_iter=1).fit(blob)
    with pytest.raises(ValueError, match="torch.cuda.is_available"):
        ALGANDetector(device=torch.device("cuda", 1), max_iter=1).fit(blob)
    for device in ("cpu", "cpu:0", torch.device("cpu")):
        det = fast_algan(max_iter=2, device=device).fit(blob[:40])
        assert det.device_.type == "cpu" and det.get_params()["device"] == device


@pytest.mark.parametrize("device", ["gpu", "cuda:x", "", "cuda:-1"])
def test_device_that_is_no_device_names_the_value(device, blob):
    with pytest.raises(ValueError, match=f"Unknown device {device!r}"):
        ALGANDetector(device=device, max_iter=1).fit(blob)


def test_device_of_another_type_is_a_parameter_error(blob):
    with pytest.raises(ValueError, match="The 'device' parameter of ALGANDetector must be"):
        ALGANDetector(device=0, max_iter=1).fit(blob)


def test_gpu_fitted_state_pickles_on_the_cpu(blob, tmp_path, monkeypatch):
    """Simulated GPU model: parameters report a CUDA device, as after fit(device='cuda')."""
    det = fast_algan().fit(blob)
    expected = det.score_samples(blob)
    monkeypatch.setattr(torch.nn.Parameter, "device", property(lambda self: torch.device("cuda", 0)), raising=False)
    det.device_ = torch.device("cuda", 0)
    assert next(det.discriminators_.parameters()).device.type == "cuda"

    state = det.__getstate__()
    for key in ("generator_", "discriminators_"):
        assert state[key] is not getattr(det, key)  # a CPU copy; the fitted module is left alone
    assert state["device_"] == torch.device("cpu")
    assert det.device_ == torch.device("cuda", 0)
    payload = pickle.dumps(det)
    monkeypatch.undo()

    assert b"cuda" not in payload
    loaded = pickle.loads(payload)
    np.testing.assert_array_equal(loaded.score_samples(blob), expected)


@pytest.mark.slow
def test_pickle_loads_and_scores_in_a_process_without_gpu(blob, tmp_path):
    det = fast_algan(device="auto").fit(blob)
    scores = _score_in_process_without_gpu(det, blob, tmp_path)
    np.testing.assert_allclose(scores, det.score_samples(blob), rtol=1e-6, atol=1e-6)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_fitted_model_loads_without_gpu(blob, tmp_path):
    det = fast_algan(device="cuda").fit(blob)
    assert next(det.discriminators_.parameters()).device.type == "cuda"
    scores = _score_in_process_without_gpu(det, blob, tmp_path)
    assert next(det.discriminators_.parameters()).device.type == "cuda"  # pickling left it there
    np.testing.assert_allclose(scores, det.score_samples(blob), rtol=1e-4, atol=1e-4)
