"""ALGAN's discriminator and the score module built from it (torch only).

Both work in the *scaled* input space: the estimator scales inputs before they reach
these modules. The generator and the density of its output are in ``_density.py``.
"""

import math

import torch
from torch import nn

#: Slope of the LeakyReLU activations (DCGAN convention, also used by the paper's networks).
LEAKY_SLOPE = 0.2
#: Standardised inputs are clamped to this magnitude before scoring, so that any finite
#: input gives a finite score in float32.
INPUT_CLAMP = 1.0e4


def _linear(n_in, n_out, generator):
    """A float32 ``nn.Linear`` with PyTorch's default initialisation, drawn from ``generator``.

    Built without touching the global random state (so that fits in parallel threads
    neither race on it nor change it); the values are those of ``nn.Linear`` built after
    ``torch.manual_seed`` with the generator's seed.
    """
    layer = nn.Linear(n_in, n_out, device="meta", dtype=torch.float32).to_empty(device="cpu")
    with torch.no_grad():  # as nn.Linear.reset_parameters
        nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
        bound = 1 / math.sqrt(n_in) if n_in > 0 else 0
        nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
    return layer


def _mlp(n_in, hidden, n_out, generator):
    layers = []
    for width in hidden:
        layers += [_linear(n_in, width, generator), nn.LeakyReLU(LEAKY_SLOPE, inplace=True)]
        n_in = width
    layers.append(_linear(n_in, n_out, generator))
    return nn.Sequential(*layers)


class Discriminator(nn.Module):
    """MLP discriminator: the logit that a row is real (training data) rather than generated.

    ``logit(x) = b + logit_bound * tanh(mlp(x) / logit_bound)``: a learned offset plus
    a network part bounded by ``logit_bound`` in absolute value, so that the score
    built from it (:class:`ALGANScore`) keeps falling without limit far from the data.

    Parameters
    ----------
    n_features : int
    hidden : tuple of int
        Hidden layer widths (LeakyReLU 0.2).
    logit_bound : float
        Bound of the network part.
    generator : torch.Generator, optional
        CPU generator of the initial weights (a freshly seeded one if None).
    """

    def __init__(self, n_features, hidden, logit_bound, generator=None):
        super().__init__()
        if generator is None:
            generator = torch.Generator()
            generator.seed()
        self.net = _mlp(n_features, hidden, 1, generator)
        self.bias = nn.Parameter(torch.zeros((), dtype=torch.float32))
        self.logit_bound = float(logit_bound)

    def forward(self, x):
        raw = self.net(x).squeeze(-1)
        return self.bias + self.logit_bound * torch.tanh(raw / self.logit_bound)


class ALGANScore(nn.Module):
    """The ALGAN score ``s(x) = D(x) + log n(x)`` (higher = more normal).

    At its optimum a discriminator trained on data of density ``p`` against generated
    rows of density ``n`` has the logit ``log p(x) - log n(x) + const``; adding the
    generated rows' known log-density ``log n(x)`` back makes the score an estimate of
    ``log p(x)`` (noise-contrastive estimation). ``log n`` falls quadratically along
    every ray and ``D`` is bounded, so far points score low in every direction.

    Parameters
    ----------
    discriminator : Discriminator
    log_density : torch.nn.Module or None
        Maps rows to ``log n(x)``; None scores by the discriminator alone.
    """

    def __init__(self, discriminator, log_density=None):
        super().__init__()
        self.discriminator = discriminator
        self.log_density = log_density

    def forward(self, x):
        x = x.clamp(-INPUT_CLAMP, INPUT_CLAMP)
        score = self.discriminator(x)
        if self.log_density is not None:
            score = score + self.log_density(x)
        return score


#: Rows of every forward pass of the score network at scoring time (a partial tile is
#: padded with zero rows): one fixed matrix shape, so a row's float32 score does not
#: depend on the other rows. Changing it changes the scores' rounding (about 1e-6 relative).
SCORE_TILE_ROWS = 2048


def score_in_tiles(network, Z, n_workers=1, tile_rows=SCORE_TILE_ROWS):
    """Scores of the scaled rows ``Z`` (a tensor on the network's device), one tile at a time.

    A float32 matrix product rounds differently for different numbers of rows, but for
    one fixed shape a row's result does not depend on the other rows or on its place in
    the tile: every row gets the same score whatever the batch, its composition or
    order. With ``n_workers > 1``, that many tiles run at once in a thread pool (torch
    releases the GIL), each on one thread, so scores do not depend on ``n_workers``.

    Returns
    -------
    ndarray of shape (len(Z),), float64
    """
    import numpy as np

    param = next(network.parameters())
    n = Z.shape[0]
    out = np.empty(n, dtype=np.float64)
    n_tiles = -(-n // tile_rows)

    def run(tiles):
        with torch.inference_mode():
            tile = torch.empty((tile_rows, Z.shape[1]), dtype=param.dtype, device=param.device)
            for t in tiles:
                rows = Z[t * tile_rows : (t + 1) * tile_rows]
                tile[: rows.shape[0]] = rows
                tile[rows.shape[0] :] = 0.0
                out[t * tile_rows : t * tile_rows + rows.shape[0]] = network(tile)[: rows.shape[0]].cpu().numpy()

    was_training = network.training
    network.eval()
    try:
        if n_workers <= 1 or n_tiles == 1:
            run(range(n_tiles))
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(n_workers) as pool:
                for job in [pool.submit(run, range(w, n_tiles, n_workers)) for w in range(n_workers)]:
                    job.result()
    finally:
        network.train(was_training)
    return out
