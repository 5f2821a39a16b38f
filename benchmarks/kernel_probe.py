"""Research probe (outside the package): a kernel generator on the data, with and without D.

Usage: python benchmarks/kernel_probe.py VARIANT_JSON [--suite classical] [--seeds 0] [--sets a,b]

Prints, per set, the AUROC of the reference alone, of ``log n + w D`` and the fitted weight.
"""

import argparse
import json
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.covariance import LedoitWolf
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from algan_sklearn import GaussianMixtureDetector, KNNDetector
from algan_sklearn._networks import Discriminator
from algan_sklearn.model_selection import novelty_split

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "adbench"
LOG2PI = math.log(2 * math.pi)


def kernel_logn(x, centres, h, alpha, sigma):
    """log n(x): centres + h z, z ~ alpha N(0,I) + (1-alpha) N(0, sigma^2 I), isotropic."""
    d = x.shape[1]
    d2 = (x * x).sum(1, keepdim=True) - 2 * x @ centres.T + (centres * centres).sum(1)[None]
    d2 = d2.clamp_min(0) / h**2
    terms = [math.log(alpha) - 0.5 * d2 - d * math.log(h)]
    if alpha < 1:
        terms.append(math.log1p(-alpha) - 0.5 * d2 / sigma**2 - d * math.log(sigma * h))
    t = torch.logsumexp(torch.stack(terms, -1), -1)
    return torch.logsumexp(t, 1) - math.log(centres.shape[0]) - 0.5 * d * LOG2PI


def gauss_logn(x, mean, L, alpha, sigma):
    d = x.shape[1]
    u = torch.linalg.solve_triangular(L, (x - mean).T, upper=False).T
    r2 = (u * u).sum(1)
    logdet = torch.log(torch.diagonal(L)).sum()
    terms = [math.log(alpha) - 0.5 * r2 - logdet]
    if alpha < 1:
        terms.append(math.log1p(-alpha) - 0.5 * r2 / sigma**2 - logdet - d * math.log(sigma))
    return torch.logsumexp(torch.stack(terms, -1), -1) - 0.5 * d * LOG2PI


def bandwidth(C, k, factor):
    k = min(k, C.shape[0] - 1)
    dist, _ = NearestNeighbors(n_neighbors=k + 1).fit(C).kneighbors(C)
    pos = dist[:, k][dist[:, k] > 0]
    return factor * float(np.median(pos)) if pos.size else 1.0


def sample_kernel(centres, h, n, alpha, sigma, g):
    idx = torch.randint(centres.shape[0], (n,), generator=g)
    z = torch.randn(n, centres.shape[1], generator=g)
    n_norm = int(round(alpha * n))
    z[n_norm:] *= sigma
    return centres[idx] + h * z


def train_d(reals, centres, h, v, g):
    d = reals.shape[1]
    D = Discriminator(d, tuple(v.get("hidden", (64, 64))), 50.0, generator=g)
    opt = torch.optim.Adam(D.parameters(), lr=v.get("lr", 1e-3), betas=(0.5, 0.9))
    n = reals.shape[0]
    bs = min(v.get("batch", 128), n)
    iters = v.get("iters", 1000)
    wd = v.get("wd", 0.0)
    for it in range(iters):
        idx = torch.randint(n, (bs,), generator=g)
        real = reals[idx]
        neg = sample_kernel(centres, h, bs, v["alpha"], v["sigma"], g)
        lr_, ln_ = D(real), D(neg)
        loss = F.softplus(-lr_).mean() + F.softplus(ln_).mean()
        if wd:
            loss = loss + wd * sum((p * p).sum() for p in D.net.parameters())
        opt.zero_grad()
        loss.backward()
        opt.step()
    D.eval()
    return D


def fit_weight(D, cal, centres, h, v, g):
    """One-feature logistic regression of held-out reals against fresh negatives, w in [0, 1]."""
    with torch.no_grad():
        neg = sample_kernel(centres, h, max(4 * cal.shape[0], 512), v["alpha"], v["sigma"], g)
        a, b = D(cal).double(), D(neg).double()
    w = torch.zeros((), dtype=torch.float64, requires_grad=True)
    c = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, c], max_iter=100)

    def closure():
        opt.zero_grad()
        loss = F.softplus(-(c + w * a)).mean() + F.softplus(c + w * b).mean()
        loss.backward()
        return loss

    opt.step(closure)
    return float(w.detach().clamp(0, 1))


def one(args):
    suite, name, v, seed = args
    torch.set_num_threads(1)
    threadpool_limits(limits=1)
    d = np.load(DATA / suite / f"{name}.npz")
    Xtr, Xte, y = novelty_split(d["X"], d["y"], random_state=seed)
    keep = np.ptp(Xtr, axis=0) > 1e-9
    Xtr, Xte = Xtr[:, keep], Xte[:, keep]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
    t0 = time.perf_counter()
    rs = np.random.RandomState(seed)
    perm = rs.permutation(Xtr.shape[0])
    n_cal = max(int(round(0.1 * len(perm))), min(50, len(perm) // 5))
    cal, rest = Xtr[perm[:n_cal]], Xtr[perm[n_cal:]]
    M = v.get("max_centres", 10**9)
    g = torch.Generator().manual_seed(seed)
    T = lambda a: torch.as_tensor(a, dtype=torch.float32)  # noqa: E731
    out = {}
    alpha, sigma = v["alpha"], v["sigma"]
    xt = T(Xte)
    # reference with all (capped) rest rows as centres
    C_all = rest[rs.permutation(len(rest))[:M]]
    h_all = bandwidth(C_all, 5, v["hfactor"])
    ref = kernel_logn(xt, T(C_all), h_all, alpha, sigma)
    out["ref"] = ref.double().numpy()
    if v.get("gauss_mix", False):
        lw = LedoitWolf().fit(rest)
        L = torch.linalg.cholesky(torch.as_tensor(lw.covariance_, dtype=torch.float64)).float()
        gm = gauss_logn(xt, T(lw.location_), L, alpha, sigma)
        # weight of the Gaussian by held-out likelihood over a grid
        kc = kernel_logn(T(cal), T(C_all), h_all, alpha, sigma).double()
        gc = gauss_logn(T(cal), T(lw.location_), L, alpha, sigma).double()
        best = None
        for wg in [0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0]:
            ll = torch.logsumexp(torch.stack([kc + math.log(max(1 - wg, 1e-300)), gc + math.log(max(wg, 1e-300))]), 0).mean()
            if best is None or ll > best[0]:
                best = (float(ll), wg)
        wg = best[1]
        out["wg"] = wg
        out["mix"] = torch.logsumexp(
            torch.stack([ref.double() + math.log(max(1 - wg, 1e-300)), gm.double() + math.log(max(wg, 1e-300))]), 0
        ).numpy()
        out["gauss"] = gm.double().numpy()
    if v.get("d", True):
        # two halves swap roles: centres A / reals B and back
        half = len(rest) // 2
        A, B = rest[:half], rest[half:]
        scores, ws, own = [], [], []
        for Cn, R in ((A, B), (B, A)):
            Cn = Cn[:M]
            h = bandwidth(Cn, 5, v.get("hfactor_d", v["hfactor"]))
            D = train_d(T(R), T(Cn), h, v, g)
            w = fit_weight(D, T(cal), T(Cn), h, v, g) if v.get("fitw", True) else 1.0
            ws.append(w)
            with torch.no_grad():
                dt = (w * D(xt)).double().numpy()
                scores.append(dt)
                own.append(kernel_logn(xt, T(Cn), h, alpha, sigma).double().numpy() + dt)
            if not v.get("swap", True):
                break
        out["dterm"] = np.mean(scores, 0)
        out["full"] = out["ref"] + out["dterm"]
        out["w"] = float(np.mean(ws))
        out["own"] = np.mean(own, 0)
    fit_s = time.perf_counter() - t0
    knn = KNNDetector(n_neighbors=5).fit(Xtr).score_samples(Xte)
    res = {k: roc_auc_score(y, -s) for k, s in out.items() if isinstance(s, np.ndarray)}
    res["knn"] = roc_auc_score(y, -knn)
    if v.get("gmm", False):
        res["gmm"] = roc_auc_score(y, -GaussianMixtureDetector(random_state=seed).fit(Xtr).score_samples(Xte))
    return name, seed, res, {k: out[k] for k in ("w", "wg") if k in out}, fit_s


def main():
    p = argparse.ArgumentParser()
    p.add_argument("variant")
    p.add_argument("--suite", default="classical")
    p.add_argument("--seeds", default="0")
    p.add_argument("--sets")
    p.add_argument("--jobs", type=int, default=2)
    a = p.parse_args()
    v = {"alpha": 0.5, "sigma": 2.0, "hfactor": 0.25, **json.loads(a.variant)}
    names = sorted(q.stem for q in (DATA / a.suite).glob("*.npz"))
    if a.sets:
        names = a.sets.split(",")
    jobs = [(a.suite, n, v, int(s)) for n in names for s in a.seeds.split(",")]
    allres = []
    with ProcessPoolExecutor(a.jobs) as pool:
        for name, seed, res, extra, fit_s in pool.map(one, jobs):
            allres.append(res)
            print(name[:20].ljust(20), seed, " ".join(f"{k} {x:.3f}" for k, x in res.items()),
                  " ".join(f"{k} {x:.2f}" for k, x in extra.items()), f"{fit_s:.1f}s", flush=True)
    keys = allres[0].keys()
    print("MEAN", " ".join(f"{k} {np.mean([r[k] for r in allres]):.4f}" for k in keys), json.dumps(v))


if __name__ == "__main__":
    sys.exit(main())
