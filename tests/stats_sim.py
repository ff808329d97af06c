"""Simulated robustness studies for the calibration tests of ``robustx.stats``.

A study: one test set of ``n`` examples (logit difficulty b_i ~ N(1.6, 1.2), perturbation
vulnerability v_i ~ N(0, 0.5), perturbation-seed jitter N(0, 0.3)), and checkpoints
(fine-tuning seeds) j with ability a_j ~ N(0, SEED_SD_LOGIT) — clean-accuracy seed sd ≈ 1
point — and perturbation sensitivity δ_j ~ N(δ_group, DELTA_SD_LOGIT). Correctness is
Bernoulli per example and checkpoint: clean with p = expit(a_j + b_i), perturbed with
p' = expit(a_j + b_i − δ_j − v_i − jitter); clean and perturbed share their uniform draw
with probability COUPLING (so outcomes are positively paired, as for real perturbations).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from robustx.stats.paired import PairedOutcomes

B_MEAN, B_SD, V_SD, JITTER_SD = 1.6, 1.2, 0.5, 0.3
SEED_SD_LOGIT, DELTA_SD_LOGIT, COUPLING = 0.07, 0.07, 0.7
DELTA0 = 0.6


def outcomes(rng: np.random.Generator, a: np.ndarray, delta: np.ndarray, b: np.ndarray, v: np.ndarray,
             n_seeds: int = 1) -> list[PairedOutcomes]:
    """Paired outcomes of checkpoints (a_j, δ_j) on the examples (b_i, v_i)."""
    k, n = a.size, b.size
    logit = a[:, None] + b[None, :]
    u = rng.random((k, n))
    clean = u < expit(logit)
    pert = np.empty((k, n_seeds, n), dtype=bool)
    for s in range(n_seeds):
        jitter = rng.normal(0, JITTER_SD, n)
        fresh = rng.random((k, n))
        up = np.where(rng.random((k, n)) < COUPLING, u, fresh)
        pert[:, s] = up < expit(logit - delta[:, None] - v[None, :] - jitter[None, :])
    return [PairedOutcomes(clean[j], pert[j]) for j in range(k)]


def study(rng: np.random.Generator, *, k: int = 5, n: int = 1000, delta_a: float = DELTA0,
          delta_b: float = DELTA0, n_seeds: int = 1) -> tuple[list[PairedOutcomes], list[PairedOutcomes]]:
    """One simulated study: the outcomes of group A's and group B's k checkpoints on one test set."""
    b = rng.normal(B_MEAN, B_SD, n)
    v = rng.normal(0, V_SD, n)
    a = rng.normal(0, SEED_SD_LOGIT, 2 * k)
    delta = np.concatenate([rng.normal(delta_a, DELTA_SD_LOGIT, k), rng.normal(delta_b, DELTA_SD_LOGIT, k)])
    out = outcomes(rng, a, delta, b, v, n_seeds)
    return out[:k], out[k:]


def _nodes(deg: int = 48):
    x, w = np.polynomial.hermite_e.hermegauss(deg)
    return x, w / w.sum()


def population_drop(delta: float, a: float = 0.0) -> float:
    """E over examples (b, v, jitter) of expit(a + b) − expit(a + b − δ − v − jitter), by Gauss–Hermite."""
    x, w = _nodes()
    b = B_MEAN + B_SD * x
    vv = np.sqrt(V_SD ** 2 + JITTER_SD ** 2) * x
    clean = (w * expit(a + b)).sum()
    pert = (w[:, None] * w[None, :] * expit(a + b[:, None] - delta - vv[None, :])).sum()
    return float(clean - pert)


def delta_for_drop(target: float) -> float:
    """The δ whose population drop (at a = 0) is ``target`` (bisection)."""
    lo, hi = -3.0, 6.0
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if population_drop(mid) < target else (lo, mid)
    return (lo + hi) / 2
