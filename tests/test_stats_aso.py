"""Almost Stochastic Order: exact violation ratio, known cases, symmetry, null behaviour."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import binom, norm

from robustx.stats.aso import aso, violation_ratio


def normal_eps(mu_a, sd_a, mu_b, sd_b) -> float:
    """ε_W2 of A = N(mu_a, sd_a) vs B = N(mu_b, sd_b): quantile difference d(z) = Δμ + Δσ z."""
    dm, ds = mu_a - mu_b, sd_a - sd_b
    if ds == 0:
        return 0.0 if dm > 0 else 1.0
    z0 = -dm / ds                     # d < 0 above z0 when ds < 0, below it when ds > 0
    lo, hi = (z0, np.inf) if ds < 0 else (-np.inf, z0)
    num = integrate.quad(lambda z: (dm + ds * z) ** 2 * norm.pdf(z), lo, hi)[0]
    return num / (dm ** 2 + ds ** 2)


def test_violation_ratio_hand_examples():
    # A's quantile function is 0 on (0, 1/2] and 2 (or 3) on (1/2, 1]; B's is 1 throughout.
    assert violation_ratio([0, 2], [1, 1]) == pytest.approx(0.5)
    assert violation_ratio([0, 3], [1, 1]) == pytest.approx(0.5 * 1 / (0.5 * 1 + 0.5 * 4))
    # unequal sizes: A = {0, 1, 2}, B = {1, 1}: violation only on (0, 1/3] where 0 < 1
    assert violation_ratio([0, 1, 2], [1, 1]) == pytest.approx((1 / 3) / (1 / 3 + 1 / 3))
    assert violation_ratio([5, 6, 7], [1, 2]) == 0.0       # A dominates
    assert violation_ratio([1, 2], [5, 6, 7]) == 1.0       # B dominates
    assert violation_ratio([1, 2, 3], [3, 2, 1]) == 0.5    # identical empirical distributions (convention)


def test_violation_ratio_swap_is_exact_complement():
    rng = np.random.default_rng(0)
    for n, m in [(5, 5), (5, 7), (13, 40), (300, 200)]:
        a, b = rng.normal(0.2, 1, n), rng.normal(0, 1.5, m)
        assert violation_ratio(a, b) + violation_ratio(b, a) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("params", [(0.5, 1, 0, 2), (0, 1, 0.3, 1.5), (1, 1, 0, 1), (0, 1, 0, 2), (0.2, 1.2, 0, 1)])
def test_violation_ratio_converges_to_theory_for_normals(params):
    theory = normal_eps(*params)
    # deterministic "samples" at the normal quantiles: checks the exact integration
    n = 20000
    q = norm.ppf((np.arange(n) + 0.5) / n)
    a, b = params[0] + params[1] * q, params[2] + params[3] * q
    assert violation_ratio(a, b) == pytest.approx(theory, abs=0.005)
    # random samples of unequal sizes
    rng = np.random.default_rng(1)
    a, b = rng.normal(params[0], params[1], 20000), rng.normal(params[2], params[3], 15000)
    assert violation_ratio(a, b) == pytest.approx(theory, abs=0.05)   # sd ≈ 0.02 at this n


def test_clearly_separated_gives_eps_min_near_zero_and_swap_near_one():
    rng = np.random.default_rng(2)
    a, b = rng.normal(3, 1, 5), rng.normal(0, 1, 5)
    res = aso(a, b, np.random.default_rng(3))
    assert res.violation_ratio == 0.0
    assert res.eps_min < 0.1                      # A better
    assert aso(b, a, np.random.default_rng(3)).eps_min > 0.9
    assert res.eps_min_reverse > 0.9


def test_swap_bound_identity_and_large_sample_symmetry():
    rng = np.random.default_rng(4)
    a, b = rng.normal(0.2, 1, 40), rng.normal(0, 1.6, 30)
    # same bootstrap draws: ε*(B, A) = 1 − ε*(A, B), so the two bounds share one margin
    r = aso(a, b, np.random.default_rng(5))
    margin = norm.ppf(0.95) * r.bootstrap_sd
    assert margin > 0
    assert r.eps_min == pytest.approx(min(1.0, r.violation_ratio + margin))
    assert r.eps_min_reverse == pytest.approx(min(1.0, 1 - r.violation_ratio + margin))
    assert aso(b, a, np.random.default_rng(5)).eps_min == pytest.approx(r.eps_min_reverse, abs=0.05)
    # 0 < ε < 1: the point estimates are exact complements; the bounds add a margin each,
    # z·sd(ε*), which shrinks as 1/sqrt(n): eps_min(B, A) → 1 − eps_min(A, B) only for large n
    z = norm.ppf(0.95)
    margins = {}
    for n in (250, 4000):
        a, b = rng.normal(0.1, 1, n), rng.normal(0, 1.5, n)
        r1, r2 = aso(a, b, np.random.default_rng(6), n_boot=400), aso(b, a, np.random.default_rng(7), n_boot=400)
        assert r1.violation_ratio + r2.violation_ratio == pytest.approx(1.0, abs=1e-12)
        margins[n] = z * (r1.bootstrap_sd + r2.bootstrap_sd) / 2
    print(f"\nASO margin z·sd(ε*): n=250 {margins[250]:.3f}, n=4000 {margins[4000]:.3f}; "
          f"n=4000: eps_min(A,B) = {r1.eps_min:.3f}, eps_min(B,A) = {r2.eps_min:.3f}")
    assert margins[4000] < margins[250]
    assert r1.eps_min + r2.eps_min == pytest.approx(1.0, abs=2.5 * margins[4000])
    assert r1.violation_ratio == pytest.approx(normal_eps(0.1, 1, 0, 1.5), abs=0.1)


def test_bootstrap_sd_matches_sampling_sd():
    """sd(ε*) of one sample estimates the sampling sd of ε across samples (what the margin relies on)."""
    rng = np.random.default_rng(14)
    eps, boot_sd = [], []
    for _ in range(150):
        r = aso(rng.normal(0.1, 1, 1000), rng.normal(0, 1.5, 1000), rng, n_boot=200)
        eps.append(r.violation_ratio)
        boot_sd.append(r.bootstrap_sd)
    print(f"\nASO n=1000: sampling sd of ε {np.std(eps):.4f}, mean bootstrap sd {np.mean(boot_sd):.4f}")
    assert np.mean(boot_sd) == pytest.approx(np.std(eps), rel=0.3)


def test_bonferroni_widens_the_bound():
    rng = np.random.default_rng(8)
    a, b = rng.normal(1, 1, 8), rng.normal(0, 1, 8)
    one = aso(a, b, np.random.default_rng(9)).eps_min
    ten = aso(a, b, np.random.default_rng(9), num_comparisons=10)
    assert ten.confidence == pytest.approx(0.995)
    assert ten.eps_min >= one


def test_identical_distributions():
    """What theory says for F = G, checked by simulation (5 vs 5 scores, as with 5 seeds).

    ε_W2(F, F) is 0/0; the empirical ε of two samples from one distribution does not
    converge but has a non-degenerate law, symmetric about 0.5 when n = m (swapping the
    samples maps ε to 1 − ε). eps_min adds a positive bootstrap margin, so it sits above
    0.5 and usually near 1 (median ≈ 1 at n = 5): neither direction is declared better, and
    "A better" (eps_min < 0.2) happens at most about alpha of the time.
    """
    rng = np.random.default_rng(10)
    n_sim = 1500
    eps, eps_min, rev = np.empty(n_sim), np.empty(n_sim), np.empty(n_sim)
    for i in range(n_sim):
        r = aso(rng.normal(size=5), rng.normal(size=5), rng, n_boot=500)
        eps[i], eps_min[i], rev[i] = r.violation_ratio, r.eps_min, r.eps_min_reverse
    sd_mean = eps.std() / np.sqrt(n_sim)
    print(f"\nASO, F = G, 5 vs 5: mean ε = {eps.mean():.3f} (sd {eps.std():.3f}); eps_min median "
          f"{np.median(eps_min):.3f}, mean {eps_min.mean():.3f}; P(eps_min < 0.2) = {np.mean(eps_min < 0.2):.3f}; "
          f"P(eps_min < 0.5) = {np.mean(eps_min < 0.5):.3f}")
    assert abs(eps.mean() - 0.5) < 4 * sd_mean
    assert np.median(eps_min) > 0.9
    assert np.all(eps_min + rev >= 1 - 1e-12)
    upper = binom.ppf(0.999, n_sim, 0.05) / n_sim
    assert np.mean(eps_min < 0.2) <= upper


def test_identical_samples():
    """Both samples equal: ε is the symmetric 0.5 and the bound only adds the bootstrap margin."""
    x = np.array([0.81, 0.80, 0.83, 0.79, 0.82])
    r = aso(x, x.copy(), np.random.default_rng(11))
    assert r.violation_ratio == 0.5
    assert r.eps_min == r.eps_min_reverse > 0.5


def test_matches_deepsig_where_installed():
    """deepsig's grid integral (step dt) converges to the exact one; eps_min agrees within MC noise."""
    deepsig = pytest.importorskip("deepsig")
    from deepsig.aso import compute_violation_ratio

    rng = np.random.default_rng(12)
    for params, n, m in [((0.5, 1, 0, 2), 10, 10), ((0, 1, 0.3, 1.5), 30, 20)]:
        a, b = rng.normal(params[0], params[1], n), rng.normal(params[2], params[3], m)
        assert compute_violation_ratio(a, b, dt=0.0002) == pytest.approx(violation_ratio(a, b), abs=0.01)
        theirs = deepsig.aso(a, b, confidence_level=0.95, num_bootstrap_iterations=200, dt=0.002,
                             show_progress=False, seed=1)
        ours = aso(a, b, np.random.default_rng(13), n_boot=2000).eps_min
        assert theirs == pytest.approx(ours, abs=0.06)
