"""Build the documentation with warnings as errors, without running the gallery.

The docs and examples are copied to a temporary folder and built there with
``-D plot_gallery=0``: autodoc, numpydoc, autosummary, intersphinx (offline, from
``docs/_inv``) and every cross-reference are checked, in well under a minute. The
gallery's code is run by ``tests/test_examples.py``; the full build (the README's
command) runs both.

Needs the ``docs`` extra; skipped without it.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

for _module in ("sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme", "matplotlib"):
    pytest.importorskip(_module)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    ignore = shutil.ignore_patterns("_build", "generated", "auto_examples", "sg_execution_times.rst", "__pycache__")
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=ignore)
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=ignore)
    cmd = [
        sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
        "-D", "plot_gallery=0", str(tmp_path / "docs"), str(tmp_path / "html"),
    ]  # fmt: skip
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"sphinx failed:\n{proc.stdout[-5000:]}\n{proc.stderr[-5000:]}"
    html = tmp_path / "html"
    for page in ("index.html", "api.html", "generated/algan_sklearn.ALGANDetector.html", "auto_examples/index.html"):
        assert (html / page).is_file(), page
    # The intersphinx links resolved from the local inventories, not from the network.
    assert "scikit-learn.org/stable/modules/generated/sklearn.ensemble.IsolationForest.html" in (
        html / "index.html"
    ).read_text(encoding="utf-8")
