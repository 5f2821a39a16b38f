"""Write ``tests/data/pinned_scores.npz``: what ``test_pinned_scores.py`` pins.

Run once, before a change that must not move the scores (a restructure), and after a
change that is meant to move them; commit the file. The test's docstring says which
tolerance each pin has and why.
"""

import pathlib

import numpy as np
import torch
from pinned import PINNED_DATA, pinned_detectors, pinned_parts, pinned_scores

if __name__ == "__main__":
    torch.set_num_threads(1)
    out = {"cpu_capability": np.array(torch.backends.cpu.get_cpu_capability())}
    for data in PINNED_DATA:
        for name in pinned_detectors():
            out[f"{data}/{name}"] = pinned_scores(data, name)
        for part, values in pinned_parts(data).items():
            out[f"{data}/part/{part}"] = values
    np.savez(pathlib.Path(__file__).parent / "data" / "pinned_scores.npz", **out)
    print(sorted(out))
