"""Progress reporting (``verbose``), the training history and its plot."""

import sys

import numpy as np
import pytest
from conftest import fast_algan
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from algan_sklearn import ALGANDetector
from algan_sklearn.plotting import plot_history
from algan_sklearn.utils._progress import progress_callback

HISTORY_KEYS = {
    "epoch",
    "n_iter",
    "loss_d",
    "loss_g",
    "logit_real",
    "logit_fake",
    "logit_anomalous",
    "logit_buffer",
    "weight_change_d",
}


def _hide(monkeypatch, *modules):
    """Make ``import module`` raise ImportError, as if the package were not installed."""
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


def test_quiet_by_default(blob, capsys):
    fast_algan().fit(blob)
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_verbose_1_shows_tqdm_bar_with_losses(blob, capsys):
    pytest.importorskip("tqdm")
    fast_algan(verbose=1).fit(blob)
    out, err = capsys.readouterr()
    assert out == ""
    assert "ALGANDetector" in err
    assert "loss_d=" in err and "loss_g=" in err
    assert "30/30" in err  # the bar reached max_iter and was closed


def test_verbose_1_without_tqdm_prints_plain_lines(blob, capsys, monkeypatch):
    _hide(monkeypatch, "tqdm", "tqdm.auto")
    det = fast_algan(verbose=1, max_iter=400).fit(blob)
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.strip().splitlines()
    assert 2 <= len(lines) <= 12  # about ten lines, not one per epoch
    assert len(lines) < len(det.history_["epoch"])
    assert all("loss_d" in line and "loss_g" in line for line in lines)
    assert lines[-1].split("iter")[1].split()[0] == "400/400"


def test_verbose_2_prints_every_epoch(blob, capsys):
    det = fast_algan(verbose=2).fit(blob)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(det.history_["epoch"])
    last = det.history_
    assert f"loss_d {last['loss_d'][-1]:.4f}" in lines[-1]
    assert f"loss_g {last['loss_g'][-1]:.4f}" in lines[-1]


def test_progress_callback_silent_for_verbose_0():
    assert progress_callback(0, 10, "X") is None
    assert progress_callback(False, 10, "X") is None


def test_history_has_per_epoch_lists(blob):
    det = fast_algan().fit(blob)
    hist = det.history_
    assert set(hist) == HISTORY_KEYS
    n_epochs = len(hist["epoch"])
    assert n_epochs >= 2
    assert all(len(v) == n_epochs for v in hist.values())
    assert hist["epoch"] == list(range(1, n_epochs + 1))
    assert hist["n_iter"][-1] == det.n_iter_ == 30
    assert np.all(np.diff(hist["n_iter"]) > 0)
    assert np.all(np.isfinite([hist[k] for k in HISTORY_KEYS - {"epoch", "n_iter"}]))


def test_plot_history_draws_losses(blob):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    det = fast_algan().fit(blob)
    ax = plot_history(det)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["discriminator loss", "generator loss"]
    np.testing.assert_array_equal(lines[0].get_xdata(), det.history_["n_iter"])
    np.testing.assert_array_equal(lines[1].get_ydata(), det.history_["loss_g"])

    # on given axes, with other keys, through a Pipeline
    pipe = make_pipeline(StandardScaler(), fast_algan()).fit(blob)
    _, ax2 = plt.subplots()
    out = plot_history(pipe, ax=ax2, keys=("logit_real", "logit_fake", "logit_anomalous"), x="epoch")
    assert out is ax2 and len(ax2.get_lines()) == 3
    plt.close("all")


def test_plot_history_errors(blob, monkeypatch):
    pytest.importorskip("matplotlib")
    with pytest.raises(NotFittedError):
        plot_history(ALGANDetector())
    det = fast_algan().fit(blob)
    with pytest.raises(KeyError, match="no_such_key"):
        plot_history(det, keys=("no_such_key",))


def test_plot_history_without_matplotlib_names_the_extra(blob, monkeypatch):
    det = fast_algan().fit(blob)
    _hide(monkeypatch, "matplotlib", "matplotlib.pyplot")
    with pytest.raises(ImportError, match=r"algan-sklearn\[plot\]"):
        plot_history(det)
