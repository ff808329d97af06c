r"""Almost Stochastic Order (ASO): Dror, Shlomov & Reichart (2019), del Barrio et al. (2018).

Scores are "higher is better" (pass ``-drop`` to ask which group is more robust). With
F and G the score distributions of A and B and F^{-1}, G^{-1} their quantile functions,
A is stochastically larger than B when F^{-1}(t) ≥ G^{-1}(t) for all t. The *violation
ratio* (del Barrio et al. 2018, eq. for ε_{W2}; Dror et al. 2019, §3) measures how much
of the squared 2-Wasserstein distance lies where that order is violated:

    V_A     = { t ∈ (0, 1) : F^{-1}(t) < G^{-1}(t) }
    ε_W2(F, G) = ∫_{V_A} (F^{-1}(t) − G^{-1}(t))² dt  /  ∫_0^1 (F^{-1}(t) − G^{-1}(t))² dt

ε = 0: A dominates B; ε = 1: B dominates A; swapping A and B gives 1 − ε. Here the
integrals are computed *exactly* for the empirical (step) quantile functions
F_n^{-1}(t) = x_(⌈n t⌉) — on the union of the breakpoints {i/n} ∪ {j/m} both functions
are constant — rather than on deepsig's t-grid of step dt (which differs by O(dt)).
If both empirical quantile functions coincide (W2 = 0) ε is undefined; 0.5 is returned
(deepsig's convention, the value symmetric under swapping).

Test (del Barrio et al. 2018, Thm. on the asymptotic normality of
sqrt(nm/(n+m)) (ε_W2(F_n, G_m) − ε_W2(F, G)) with variance σ²; Dror et al. 2019): reject
H0: ε_W2(F, G) ≥ ε0 at level α when ε_W2(F_n, G_m) < ε0 + sqrt((n+m)/(nm)) σ̂ Φ^{-1}(α).
The smallest ε0 for which H0 is rejected,

    eps_min = ε_W2(F_n, G_m) − sqrt((n+m)/(nm)) · σ̂_{n,m} · Φ^{-1}(α),   α = 1 − confidence,

is an upper (1 − α) confidence bound on ε_W2, clipped to [0, 1]. σ̂_{n,m} is the bootstrap
sd of sqrt(nm/(n+m)) (ε_W2(F*_n, G*_m) − ε_W2(F_n, G_m)), where F*_n and G*_m resample n
scores of A and m scores of B with replacement, independently (as deepsig ≥ 1.2.4, which
uses the population sd, ddof = 0); the constants cancel, so the margin is
Φ^{-1}(1 − α) · sd(ε*). ``num_comparisons`` = k applies Bonferroni: α → α / k.
"A is better" is usually declared when eps_min < 0.2 (Ulmer et al. 2022, deepsig docs;
FINDINGS.md). The bound is an upper bound on ε(A, B) and on ε(B, A) alike, so
eps_min(A, B) + eps_min(B, A) = 1 + 2 · margin (before clipping), not 1: with identical
distributions both are above 0.5, and neither direction is declared better.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _grid(n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment widths and the order-statistic index of each quantile function on each segment."""
    bp = np.union1d(np.arange(n + 1) / n, np.arange(m + 1) / m)
    width = np.diff(bp)
    mid = (bp[:-1] + bp[1:]) / 2
    ia = np.minimum(np.floor(mid * n).astype(np.int64), n - 1)
    ib = np.minimum(np.floor(mid * m).astype(np.int64), m - 1)
    keep = width > 0
    return width[keep], ia[keep], ib[keep]


def _ratio(qa: np.ndarray, qb: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Violation ratio along the last axis from quantile values on the segments."""
    diff = qb - qa
    total = (diff * diff) @ width
    viol = (np.maximum(diff, 0.0) ** 2) @ width
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, viol / np.where(total > 0, total, 1.0), 0.5)


def violation_ratio(scores_a, scores_b) -> float:
    """ε_W2 of the empirical distributions of A and B (exact integral; 0.5 when they coincide)."""
    a = np.sort(np.asarray(scores_a, dtype=float))
    b = np.sort(np.asarray(scores_b, dtype=float))
    if a.size == 0 or b.size == 0:
        raise ValueError("violation_ratio needs non-empty score lists")
    width, ia, ib = _grid(a.size, b.size)
    return float(_ratio(a[ia], b[ib], width))


@dataclass(frozen=True)
class ASOResult:
    """eps_min for "A better than B" and, from the same bootstrap, for "B better than A"."""

    eps_min: float            # upper (confidence) bound on ε_W2(A, B); A better when < threshold
    eps_min_reverse: float    # the same bound for ε_W2(B, A) = 1 − ε_W2(A, B)
    violation_ratio: float    # point estimate ε_W2(F_n, G_m)
    bootstrap_sd: float       # sd of ε* over the bootstrap (ddof = 0)
    confidence: float         # after Bonferroni
    n_a: int
    n_b: int
    n_boot: int


def aso(scores_a, scores_b, rng: np.random.Generator, *, confidence: float = 0.95, n_boot: int = 1000,
        num_comparisons: int = 1) -> ASOResult:
    """Almost Stochastic Order test of "A is better than B" (higher scores better).

    Estimator: exact empirical violation ratio ε_W2(F_n, G_m) (module docstring); n = len(A),
    m = len(B) scores (e.g. fine-tuning seeds). Resampled: the n scores of A and the m scores
    of B, each with replacement and independently, ``n_boot`` times. Returns eps_min =
    clip(ε + Φ^{-1}(confidence') · sd(ε*), 0, 1) with confidence' = 1 − (1 − confidence)/k.
    """
    from scipy.stats import norm

    a = np.sort(np.asarray(scores_a, dtype=float))
    b = np.sort(np.asarray(scores_b, dtype=float))
    if a.size == 0 or b.size == 0:
        raise ValueError("aso needs non-empty score lists")
    if num_comparisons < 1:
        raise ValueError("num_comparisons must be ≥ 1")
    conf = 1 - (1 - confidence) / num_comparisons
    width, ia, ib = _grid(a.size, b.size)
    eps = float(_ratio(a[ia], b[ib], width))
    star_a = np.sort(rng.choice(a, size=(n_boot, a.size), replace=True), axis=1)
    star_b = np.sort(rng.choice(b, size=(n_boot, b.size), replace=True), axis=1)
    star = _ratio(star_a[:, ia], star_b[:, ib], width)
    sd = float(np.std(star))
    margin = float(norm.ppf(conf)) * sd
    return ASOResult(
        eps_min=float(np.clip(eps + margin, 0.0, 1.0)),
        eps_min_reverse=float(np.clip(1.0 - eps + margin, 0.0, 1.0)),
        violation_ratio=eps, bootstrap_sd=sd, confidence=conf, n_a=int(a.size), n_b=int(b.size), n_boot=n_boot,
    )
