"""What the README and the user guide say, checked against the code (fast; no docs build).

The README's "Explain, calibrate, deploy" snippet runs as written, on a fast ALGAN
pipeline; the method page states the ``sigma`` range the API accepts and the score
``D + log n`` that ``score_samples`` returns.
"""

import importlib.util
import re
from pathlib import Path

import numpy as np
from conftest import fast_algan
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from algan_sklearn import ALGANDetector

ROOT = Path(__file__).resolve().parents[1]


def readme_block(section):
    """The first ```python block after the README heading ``## section``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text[text.index(f"## {section}\n") :]
    return re.search(r"```python\n(.*?)```", after, re.S).group(1)


def test_readme_explain_snippet_runs():
    code = readme_block("Explain, calibrate, deploy")
    if importlib.util.find_spec("onnx") is None or importlib.util.find_spec("skl2onnx") is None:
        code = "\n".join(line for line in code.splitlines() if "to_onnx" not in line)  # the onnx extra is optional
    rng = np.random.RandomState(0)
    X_normal = rng.normal(size=(200, 3)) * [1.0, 1000.0, 0.01]  # one feature in large units
    X_new = np.vstack([X_normal[:5], X_normal[:5] + [6.0, 0.0, 0.0]])
    det = make_pipeline(StandardScaler(), fast_algan()).fit(X_normal)
    names = {"det": det, "X_new": X_new, "X_normal": X_normal}
    exec(compile(code, "README.md", "exec"), names)
    assert names["p_knn"].shape == (10,) and names["knn_result"].contributions.shape == (10, 3)
    # behind the scaler, kNN's explanations name the shifted feature, not the one in large units
    assert (names["knn_result"].contributions[5:].argmax(axis=1) == 0).all()
    assert "not scale-invariant" in code


def test_method_page_states_the_sigma_range_and_the_score():
    text = (ROOT / "docs" / "user_guide" / "method.rst").read_text(encoding="utf-8")
    sigma = ALGANDetector._parameter_constraints["sigma"][0]
    assert (sigma.left, sigma.right, sigma.closed) == (0, 1e30, "right")
    assert r"(0, 10^{30}]" in text
    assert not re.search(r"\\qquad\s*\\sigma\s*>\s*1", text)  # not a requirement of the API
    bullets = text[text.index("The trick is in the latent space") : text.index("The method in one picture")]
    assert r":math:`\log n(x) + w\, D(x)`" in bullets
