"""Run every gallery example (``examples/plot_*.py``) in fast mode, so the docs cannot rot.

Each example is executed with ``ALGAN_FAST=1`` (a few training iterations) and
matplotlib's Agg backend, in this process with :func:`runpy.run_path`, from a
temporary working folder. The documentation build runs the same files at full size.
"""

import os
import runpy
from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib")
pytest.importorskip("pandas")
matplotlib.use("Agg")
import matplotlib.pyplot as plt

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("plot_*.py"))


def test_examples_found():
    assert len(EXAMPLES) >= 7, EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(path, monkeypatch, tmp_path):
    monkeypatch.setenv("ALGAN_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    plt.close("all")
    try:
        runpy.run_path(str(path), run_name="__main__")
        # sphinx-gallery shows every open figure: each example must draw at least one.
        assert plt.get_fignums(), f"{path.name} drew no figure"
    finally:
        plt.close("all")
    assert os.environ["ALGAN_FAST"] == "1"
