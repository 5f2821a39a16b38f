"""Write ``tests/data/pinned_scores.npz``: the scores ``test_pinned_scores.py`` pins.

Run once, before a change that must not move the scores (a restructure); commit the
file. Scores are pinned bit for bit on a machine of the same CPU capability as the one
that wrote them (matrix-product kernels differ between instruction sets).
"""

import pathlib

import numpy as np
import torch
from pinned import PINNED_DATA, pinned_detectors, pinned_scores

if __name__ == "__main__":
    torch.set_num_threads(1)
    out = {"cpu_capability": np.array(torch.backends.cpu.get_cpu_capability())}
    for data in PINNED_DATA:
        for name in pinned_detectors():
            out[f"{data}/{name}"] = pinned_scores(data, name)
    np.savez(pathlib.Path(__file__).parent / "data" / "pinned_scores.npz", **out)
    print(sorted(out))
