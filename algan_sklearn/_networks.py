"""ALGAN's discriminator and the score module built from it (torch only).

Both work in the *scaled* input space: the estimator scales inputs before they reach
these modules. The generator and the density of its output are in ``_generator.py``.
"""

import math

import numpy as np
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


def ladder_logit(outputs):
    """The logit of "real" against all negative classes, from class outputs ``(..., 1 + K)``.

    Output 0 is the training rows' class, outputs 1..K the negatives' classes:
    ``f_0 - logsumexp(f_1, ..., f_K)``. With the class weights of training (the real rows
    weigh as much as all negatives together, each negative class as much as its share of
    the negatives) this is the log-ratio of the data's density to the negatives' (the
    binary logit), learned from finer labels (multinomial density-ratio estimation).
    """
    return outputs[..., 0] - torch.logsumexp(outputs[..., 1:], dim=-1)


class Discriminator(nn.Module):
    """MLP discriminator: the logit that a row is real (training data) rather than generated.

    ``logit(x) = b + logit_bound * tanh(m(x) / logit_bound)``: a learned offset plus a
    network part bounded by ``logit_bound`` in absolute value, so that the score built
    from it (:class:`ALGANScore`) keeps falling without limit far from the data. With
    one output (the binary head) ``m`` is the MLP's output; with ``1 + K`` outputs (the
    ladder head: one class for the training rows and one per kind of negative) ``m`` is
    :func:`ladder_logit` of them.

    Parameters
    ----------
    n_features : int
    hidden : tuple of int
        Hidden layer widths (LeakyReLU 0.2).
    logit_bound : float
        Bound of the network part.
    generator : torch.Generator
        CPU generator of the initial weights.
    n_outputs : int, default=1
        1 (binary head) or ``1 + K`` (ladder head over K kinds of negatives).
    """

    def __init__(self, n_features, hidden, logit_bound, generator, n_outputs=1):
        super().__init__()
        self.net = _mlp(n_features, hidden, n_outputs, generator)
        self.bias = nn.Parameter(torch.zeros((), dtype=torch.float32))
        self.logit_bound = float(logit_bound)
        self.n_outputs = int(n_outputs)

    def forward(self, x):
        out = self.net(x)
        raw = out.squeeze(-1) if self.n_outputs == 1 else ladder_logit(out)
        return self.bias + self.logit_bound * torch.tanh(raw / self.logit_bound)


def fold_input_transform(discriminator, mean, matrix):
    """Make ``discriminator`` take rows ``x`` where it took ``(x - mean) @ matrix`` (in place).

    The transform is affine, so it folds into the first linear layer exactly:
    ``W <- W matrix^T`` and ``b <- b - (mean @ matrix) W^T``.
    """
    first = discriminator.net[0]
    with torch.no_grad():
        m = torch.as_tensor(np.asarray(matrix), dtype=torch.float64)
        mu = torch.as_tensor(np.asarray(mean), dtype=torch.float64)
        weight = first.weight.double()
        first.bias.copy_((first.bias.double() - (mu @ m) @ weight.T).to(first.bias.dtype))
        first.weight.copy_((weight @ m.T).to(first.weight.dtype))
    return discriminator


class StackedDiscriminators(nn.Module):
    """Several discriminators of one architecture as one module, run in one batched pass.

    Training the cross-fitted discriminators this way costs one forward and one backward
    pass per step instead of one per discriminator (``torch.baddbmm`` over a leading
    axis). Adam acts on each weight separately, so the result is that of separate
    optimisers. :meth:`unstack` writes the weights back into the discriminators.

    Parameters
    ----------
    discriminators : list of Discriminator
        Same architecture.
    """

    def __init__(self, discriminators):
        super().__init__()
        linears = [[m for m in d.net if isinstance(m, nn.Linear)] for d in discriminators]
        depth = len(linears[0])
        with torch.no_grad():
            self.weights = nn.ParameterList(
                [nn.Parameter(torch.stack([ls[i].weight.T for ls in linears]).contiguous()) for i in range(depth)]
            )
            self.biases = nn.ParameterList(
                [nn.Parameter(torch.stack([ls[i].bias for ls in linears])[:, None, :].clone()) for i in range(depth)]
            )
            self.offsets = nn.Parameter(torch.stack([d.bias for d in discriminators]).clone())
        self.logit_bound = discriminators[0].logit_bound
        self.n_outputs = discriminators[0].n_outputs

    def outputs(self, x):
        """The MLPs' outputs, shape (J, n, n_outputs), for rows ``x`` of shape (J, n, n_features)."""
        h = x
        last = len(self.weights) - 1
        for i, (weight, bias) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(bias, h, weight)
            if i < last:
                h = nn.functional.leaky_relu(h, LEAKY_SLOPE)
        return h

    def logit(self, outputs):
        """D's logits (J, n) from :meth:`outputs`."""
        raw = outputs.squeeze(-1) if self.n_outputs == 1 else ladder_logit(outputs)
        return self.offsets[:, None] + self.logit_bound * torch.tanh(raw / self.logit_bound)

    def forward(self, x):
        """Logits of shape (J, n) for rows ``x`` of shape (J, n, n_features), one set per discriminator."""
        return self.logit(self.outputs(x))

    def unstack(self, discriminators):
        """Copy the trained weights into ``discriminators`` (in place) and return them."""
        with torch.no_grad():
            for j, d in enumerate(discriminators):
                linears = [m for m in d.net if isinstance(m, nn.Linear)]
                for layer, weight, bias in zip(linears, self.weights, self.biases):
                    layer.weight.copy_(weight[j].T)
                    layer.bias.copy_(bias[j, 0])
                d.bias.copy_(self.offsets[j])
        return discriminators


class ALGANScore(nn.Module):
    """The ALGAN score ``s(x) = log n(x) + sum_j w_j D_j(x)`` (higher = more normal).

    At its optimum a discriminator trained on data of density ``p`` against generated
    rows of density ``n`` has the logit ``log p(x) - log n(x) + const``; adding the
    generated rows' known log-density ``log n(x)`` back makes the score an estimate of
    ``log p(x)`` (noise-contrastive estimation). The discriminators are cross-fitted
    (each trained on the rows that are not its negatives' centres) and each enters with
    the weight that held-out rows confirmed. ``log n`` falls quadratically along every
    ray and each ``D_j`` is bounded, so far points score low in every direction.

    Parameters
    ----------
    discriminators : list of Discriminator
    weights : sequence of float
        ``w_j``, one per discriminator (their sum is D's total weight).
    log_density : torch.nn.Module
        Maps rows to ``log n(x)``.
    """

    def __init__(self, discriminators, weights, log_density):
        super().__init__()
        self.discriminators = nn.ModuleList(discriminators)
        self.register_buffer("weights", torch.as_tensor(list(weights), dtype=torch.float32))
        self.log_density = log_density

    def discriminator_term(self, x):
        """``sum_j w_j D_j(x)`` of shape (n,)."""
        term = self.weights[0] * self.discriminators[0](x)
        for j in range(1, len(self.discriminators)):
            term = term + self.weights[j] * self.discriminators[j](x)
        return term

    def forward(self, x):
        x = x.clamp(-INPUT_CLAMP, INPUT_CLAMP)
        return self.log_density(x) + self.discriminator_term(x)


#: Rows of every forward pass of the score network at scoring time (a partial tile is
#: padded with zero rows): one fixed matrix shape, so a row's float32 score does not
#: depend on the other rows. Changing it changes the scores' rounding (about 1e-6
#: relative). 256 rows: few queries are not padded to a large tile, and a tile's
#: (rows x centres) terms stay in the cache.
SCORE_TILE_ROWS = 256


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
