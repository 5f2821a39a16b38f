"""Scores of fixed-seed fits on two data sets, pinned before a restructure.

``tests/data/pinned_scores.npz`` was written by ``tests/make_pinned_scores.py``. On a
CPU of the capability that wrote it the scores must agree bit for bit; elsewhere
(other matrix-product kernels) within float32 rounding.
"""

import pathlib

import numpy as np
import pytest
import torch
from pinned import PINNED_DATA, pinned_detectors, pinned_scores

PINNED = np.load(pathlib.Path(__file__).parent / "data" / "pinned_scores.npz")
SAME_CPU = str(PINNED["cpu_capability"]) == torch.backends.cpu.get_cpu_capability()


@pytest.mark.parametrize("name", list(pinned_detectors()))
@pytest.mark.parametrize("data", list(PINNED_DATA))
def test_scores_are_pinned(data, name):
    scores = pinned_scores(data, name)
    expected = PINNED[f"{data}/{name}"]
    if SAME_CPU or not name.startswith("ALGAN"):
        np.testing.assert_array_equal(scores, expected)
    else:
        np.testing.assert_allclose(scores, expected, rtol=1e-4, atol=1e-4)
