"""robustx.stats: paired drops (exact tests, bootstrap CI), multiple comparisons, design checks.

The simulation tests check calibration: under H0 the rejection rate at alpha = 0.05 must
lie in the 99.9 % binomial interval of N simulated datasets around the test's exact size;
the bootstrap CI must cover the population drop about 95 % of the time. Seeds are fixed.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit
from scipy.stats import binom, binomtest, chi2, false_discovery_control

import stats_sim as S
from robustx.errors import RobustxError
from robustx.stats import design
from robustx.stats.multiple import adjust, adjust_rows, benjamini_hochberg, holm
from robustx.stats.paired import (PairedOutcomes, bootstrap_drop, mcnemar, paired_drop, percentile_ci, resample_means,
                                  permutation_null, permutation_test)

ALPHA = 0.05


def binom_interval(n_sim: int, p: float, conf: float = 0.999) -> tuple[float, float]:
    lo, hi = binom.ppf([(1 - conf) / 2, (1 + conf) / 2], n_sim, p)
    return lo / n_sim, hi / n_sim


def outcomes_from(clean, *perturbed) -> PairedOutcomes:
    return PairedOutcomes(np.array(clean, bool), np.array(perturbed, bool))


# -- paired: exact tests -----------------------------------------------------------------

def test_mcnemar_counts_and_binomtest():
    clean = [1, 1, 1, 1, 1, 0, 0, 1, 1, 0]
    pert = [0, 0, 0, 1, 1, 1, 0, 0, 1, 0]
    r = mcnemar(np.array(clean, bool), np.array(pert, bool))
    assert (r.b, r.c) == (4, 1)
    assert r.p_greater == pytest.approx(binomtest(4, 5, 0.5, alternative="greater").pvalue)
    assert r.p_greater == pytest.approx(6 / 32)
    assert r.p_two_sided == pytest.approx(12 / 32)
    same = mcnemar(np.ones(5, bool), np.ones(5, bool))
    assert (same.p_greater, same.p_two_sided) == (1.0, 1.0)


def test_mcnemar_agrees_with_chi_square_for_large_n():
    rng = np.random.default_rng(0)
    clean = rng.random(20000) < 0.8
    pert = np.where(rng.random(20000) < 0.9, clean, rng.random(20000) < 0.76)
    r = mcnemar(clean, pert)
    stat = (abs(r.b - r.c) - 1) ** 2 / (r.b + r.c)           # continuity-corrected McNemar chi-square
    p_chi2 = chi2.sf(stat, 1)
    assert 1e-6 < r.p_two_sided < 0.5
    assert r.p_two_sided == pytest.approx(p_chi2, rel=0.1)


def test_permutation_test_equals_mcnemar_for_one_seed():
    rng = np.random.default_rng(1)
    for n in (7, 50, 400):
        clean = rng.random(n) < 0.7
        pert = np.where(rng.random(n) < 0.6, clean, rng.random(n) < 0.6)
        m = mcnemar(clean, pert)
        assert permutation_test(PairedOutcomes(clean, pert)) == pytest.approx((m.p_greater, m.p_two_sided), rel=1e-9)


def test_permutation_test_matches_enumeration():
    """Enumerate every relabelling (which of the 1 + S outcomes of each example is clean)."""
    rng = np.random.default_rng(2)
    for n, s in [(7, 2), (6, 3), (8, 2)]:
        o = PairedOutcomes(rng.random(n) < 0.6, rng.random((s, n)) < 0.5)
        x = np.vstack([o.clean, o.perturbed]).T.astype(int)        # [n, 1 + S]
        t_obs = (s * x[:, 0] - x[:, 1:].sum(axis=1)).sum()
        tot = x.sum(axis=1)
        stats = np.array([sum((s + 1) * x[i, j] - tot[i] for i, j in enumerate(labels))
                          for labels in itertools.product(range(s + 1), repeat=n)])
        expected = (np.mean(stats >= t_obs), np.mean(np.abs(stats) >= abs(t_obs)))
        assert permutation_test(o) == pytest.approx(expected, abs=1e-12)


# -- paired: bootstrap and records -------------------------------------------------------

def test_category_bootstrap_equals_example_bootstrap_in_distribution():
    rng = np.random.default_rng(3)
    o = PairedOutcomes(rng.random(800) < 0.8, rng.random((3, 800)) < 0.7)
    d = o.clean - o.perturbed.mean(axis=0)
    by_index = d[rng.integers(0, o.n, size=(4000, o.n))].mean(axis=1)
    by_category = bootstrap_drop(o, np.random.default_rng(4), 4000)["drop"]
    assert by_category.mean() == pytest.approx(o.drop, abs=0.002)
    assert by_category.std() == pytest.approx(by_index.std(), rel=0.06)
    assert by_category.std() == pytest.approx(d.std() / np.sqrt(o.n), rel=0.06)


def test_resample_means_is_the_bootstrap_of_the_mean():
    rng = np.random.default_rng(13)
    values, counts = np.array([-1.0, 0.0, 1.0, 0.0]), np.array([30, 500, 120, 350])   # repeated value merged
    x = np.repeat(values, counts)
    means = resample_means(rng, values, counts, 20000)
    assert means.mean() == pytest.approx(x.mean(), abs=5e-4)
    assert means.std() == pytest.approx(x.std() / np.sqrt(x.size), rel=0.03)
    assert np.allclose(resample_means(rng, [2.0], [7], 5), 2.0)


def test_from_records_aligns_by_id():
    clean = [{"id": "a", "correct": True}, {"id": "b", "correct": False}, {"id": "c", "correct": True}]
    s1 = [{"id": "c", "correct": False}, {"id": "a", "correct": True}, {"id": "b", "correct": False}]
    s2 = [{"id": "b", "correct": True}, {"id": "c", "correct": False}, {"id": "a", "correct": False}]
    o = PairedOutcomes.from_records(clean, {1: s1, 2: s2})
    assert o.ids == ("a", "b", "c") and o.seeds == (1, 2)
    assert o.perturbed.tolist() == [[True, False, False], [False, True, False]]
    assert o.clean_accuracy == pytest.approx(2 / 3)
    assert o.drop == pytest.approx(2 / 3 - 2 / 6)
    with pytest.raises(RobustxError, match="ids differ"):
        PairedOutcomes.from_records(clean, {1: s1[:2]})
    with pytest.raises(RobustxError, match="twice"):
        PairedOutcomes.from_records(clean + clean[:1], {1: s1})


def test_paired_drop_report_fields():
    rng = np.random.default_rng(5)
    o = PairedOutcomes(rng.random(1000) < 0.8, rng.random((3, 1000)) < 0.7)
    r = paired_drop(o, np.random.default_rng(6), n_boot=1000)
    assert r.n == 1000 and r.n_seeds == 3
    assert r.abs_drop == pytest.approx(r.clean_accuracy - np.mean(r.perturbed_accuracy_by_seed))
    assert r.rel_drop == pytest.approx(r.abs_drop / r.clean_accuracy)
    assert r.abs_drop_ci[0] < r.abs_drop < r.abs_drop_ci[1]
    assert r.seed_sd == pytest.approx(np.std(r.perturbed_accuracy_by_seed, ddof=1))
    assert "permutation" in r.test and len(r.mcnemar_by_seed) == 3
    assert r.p_greater < 1e-6 and r.warnings == ()
    single = paired_drop(PairedOutcomes(o.clean, o.perturbed[:1]), np.random.default_rng(6), n_boot=500)
    assert single.seed_sd is None and "McNemar" in single.test
    assert single.p_greater == single.mcnemar_by_seed[0].p_greater
    assert single.warnings and "perturbation seed" in single.warnings[0]


# -- paired: calibration by simulation ---------------------------------------------------

def _null_paired(rng, n_sim, n, n_seeds):
    """Datasets where perturbation does nothing: per example, the 1 + S outcomes are exchangeable.

    Each outcome uses the example's shared uniform with probability COUPLING, else its own,
    and is correct when that uniform is below the example's p (difficulty as in stats_sim).
    """
    p = expit(rng.normal(S.B_MEAN, S.B_SD, (n_sim, 1, n)))
    shared = rng.random((n_sim, 1, n))
    own = rng.random((n_sim, 1 + n_seeds, n))
    u = np.where(rng.random((n_sim, 1 + n_seeds, n)) < S.COUPLING, shared, own)
    correct = u < p
    return correct[:, 0], correct[:, 1:]


def _mcnemar_size(m: np.ndarray, alpha: float) -> np.ndarray:
    """Exact size of the one-sided exact McNemar test given m discordant pairs."""
    sizes = {0: 0.0}
    for mm in np.unique(m):
        if mm:
            k = np.arange(mm + 1)
            sizes[mm] = binom.pmf(k, mm, 0.5)[binom.sf(k - 1, mm, 0.5) <= alpha].sum()
    return np.array([sizes[mm] for mm in m])


def test_mcnemar_null_rejection_rate():
    """One-sided exact McNemar under H0 (no effect), n = 1000 examples, N = 3000 datasets."""
    rng = np.random.default_rng(7)
    n_sim = 3000
    clean, pert = _null_paired(rng, n_sim, 1000, 1)
    rejected, discordant = np.empty(n_sim, bool), np.empty(n_sim, int)
    for i in range(n_sim):
        r = mcnemar(clean[i], pert[i, 0])
        rejected[i], discordant[i] = r.p_greater <= ALPHA, r.b + r.c
    size = _mcnemar_size(discordant, ALPHA).mean()      # exact size, averaged over the realized m
    lo, hi = binom_interval(n_sim, size)
    print(f"\nMcNemar one-sided, H0: rejection {rejected.mean():.4f}, exact size {size:.4f}, "
          f"99.9% interval [{lo:.4f}, {hi:.4f}] (N={n_sim})")
    assert lo <= rejected.mean() <= hi
    assert rejected.mean() <= binom_interval(n_sim, ALPHA)[1]


def test_permutation_null_rejection_rate():
    """Exact within-example permutation test, 3 perturbation seeds, H0, n = 1000, N = 2000 datasets."""
    rng = np.random.default_rng(8)
    n_sim = 2000
    clean, pert = _null_paired(rng, n_sim, 1000, 3)
    p_one, p_two, size_one, size_two = (np.empty(n_sim) for _ in range(4))
    for i in range(n_sim):
        o = PairedOutcomes(clean[i], pert[i])
        p_one[i], p_two[i] = permutation_test(o)
        # exact size of this discrete test given the dataset's margins (the pmf is exact)
        stat, pmf, _ = permutation_null(o)
        tail_up = np.cumsum(pmf[::-1])[::-1]                    # P(T ≥ stat)
        size_one[i] = pmf[tail_up <= ALPHA].sum()
        _, inv = np.unique(np.abs(stat), return_inverse=True)
        tail_abs = np.cumsum(np.bincount(inv, pmf)[::-1])[::-1][inv]  # P(|T| ≥ |stat|)
        size_two[i] = pmf[tail_abs <= ALPHA].sum()
    for name, p, size in (("one-sided", p_one, size_one.mean()), ("two-sided", p_two, size_two.mean())):
        lo, hi = binom_interval(n_sim, size)
        print(f"\npermutation test (3 seeds), H0, {name}: rejection {np.mean(p <= ALPHA):.4f}, exact size "
              f"{size:.4f}, 99.9% interval [{lo:.4f}, {hi:.4f}] (N={n_sim})")
        assert lo <= np.mean(p <= ALPHA) <= hi
        assert np.mean(p <= ALPHA) <= binom_interval(n_sim, ALPHA)[1]


def test_paired_bootstrap_ci_coverage():
    """Percentile paired-bootstrap 95 % CI of the drop covers the population drop (N = 2000 test sets)."""
    rng = np.random.default_rng(9)
    n_sim, n, delta, ability = 2000, 1000, S.DELTA0, 0.1
    truth = S.population_drop(delta, ability)
    covered = np.empty(n_sim, bool)
    width = np.empty(n_sim)
    for i in range(n_sim):
        b = rng.normal(S.B_MEAN, S.B_SD, n)
        v = rng.normal(0, S.V_SD, n)
        (o,) = S.outcomes(rng, np.array([ability]), np.array([delta]), b, v)
        lo, hi = percentile_ci(bootstrap_drop(o, rng, 2000)["drop"])
        covered[i] = lo <= truth <= hi
        width[i] = hi - lo
    lo, hi = binom_interval(n_sim, 0.95)
    print(f"\npaired bootstrap CI: coverage {covered.mean():.4f} of true drop {truth:.4f}, mean width "
          f"{width.mean():.4f}; 99.9% interval around 0.95 [{lo:.4f}, {hi:.4f}] (N={n_sim})")
    assert lo <= covered.mean() <= hi


def test_mcnemar_power_for_a_two_point_drop():
    """Power of the one-sided exact McNemar test for a 2-point drop on 1000 examples."""
    rng = np.random.default_rng(10)
    n_sim, n = 1000, 1000
    delta = S.delta_for_drop(0.02)
    rej = 0
    for _ in range(n_sim):
        (o,) = S.outcomes(rng, np.zeros(1), np.array([delta]), rng.normal(S.B_MEAN, S.B_SD, n),
                          rng.normal(0, S.V_SD, n))
        rej += mcnemar(o.clean, o.perturbed[0]).p_greater <= ALPHA
    print(f"\nMcNemar power, 2-point drop, n=1000: {rej / n_sim:.3f} (N={n_sim})")
    assert rej / n_sim > 0.4            # measured 0.47


# -- multiple comparisons ----------------------------------------------------------------

def test_holm_hand_example():
    # sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm([]).size == 0


def test_bh_matches_scipy():
    rng = np.random.default_rng(11)
    for m in (1, 2, 7, 40):
        p = rng.random(m) ** 3
        p[: m // 3] = p[0]                                  # ties
        assert benjamini_hochberg(p) == pytest.approx(false_discovery_control(p, method="bh"))
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_adjustment_properties(p):
    p = np.array(p)
    h, b = holm(p), benjamini_hochberg(p)
    assert np.all(h >= p - 1e-15) and np.all(b >= p - 1e-15)
    assert np.all(h <= 1) and np.all(b <= 1)
    assert np.all(h >= b - 1e-12)                           # Holm is never less strict than BH
    assert np.all(h <= np.minimum(1, p * p.size) + 1e-12)   # nor stricter than Bonferroni
    order = np.argsort(p)
    assert np.all(np.diff(h[order]) >= -1e-12) and np.all(np.diff(b[order]) >= -1e-12)


def test_holm_controls_familywise_error():
    rng = np.random.default_rng(12)
    n_sim, m = 4000, 12
    p = rng.random((n_sim, m))
    fwer = np.mean([np.any(holm(row) <= ALPHA) for row in p])
    assert fwer <= binom_interval(n_sim, ALPHA)[1]


def test_adjust_skips_missing_and_families():
    assert adjust([0.01, None, 0.04, float("nan")], "holm") == pytest.approx([0.02, None, 0.04, None])
    with pytest.raises(ValueError):
        adjust([0.1], "bonferroni")
    rows = [{"group_a": "mnli", "group_b": "none", "lang": lang, "perturbation": pert, "p": p}
            for (lang, pert), p in zip(itertools.product(["de", "sw"], ["typo", "swap"]), [0.01, 0.02, 0.03, 0.2])]
    rows.append({"group_a": "multi", "group_b": "none", "lang": "de", "perturbation": "typo", "p": 0.04})
    out = adjust_rows(rows, "p", by=("group_a", "group_b"), method="holm")
    assert [r["p_holm"] for r in out] == pytest.approx([0.04, 0.06, 0.06, 0.2, 0.04])
    assert [r["p_holm_family_size"] for r in out] == [4, 4, 4, 4, 1]
    assert all(r["p"] == q["p"] for r, q in zip(out, rows))          # raw p kept alongside
    per_pert = adjust_rows(rows, "p", by=("group_a", "group_b", "perturbation"), method="bh")
    assert [r["p_bh"] for r in per_pert] == pytest.approx([0.02, 0.04, 0.03, 0.2, 0.04])


# -- design ------------------------------------------------------------------------------

def test_design_checks():
    w = design.seed_warnings({"none": 2, "mnli": 5, "multi": 1})
    assert len(w) == 2 and "'none' has 2" in w[0] and "at least 5" in w[0]
    assert design.mannwhitney_min_p(3, 3) == pytest.approx(0.1)
    assert design.mannwhitney_min_p(4, 4) == pytest.approx(2 / 70)
    assert design.mannwhitney_refusal(3, 3, 0.05) and "0.1" in design.mannwhitney_refusal(3, 3, 0.05)
    assert design.mannwhitney_refusal(3, 4, 0.05)                  # 2/35 = 0.057 > 0.05
    assert design.mannwhitney_refusal(4, 4, 0.05) is None
    assert design.welch_refusal(1, 5) and design.welch_refusal(2, 2) is None
    report = design.check_design({"a": 3, "b": 3, "c": 5})
    assert len(report["warnings"]) == 0
    assert any("a vs b" in r and "Mann" in r for r in report["refusals"])
    assert design.perturbation_seed_warning(1) and design.perturbation_seed_warning(3) is None
