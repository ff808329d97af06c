"""Groups of checkpoints across fine-tuning seeds, and comparisons between two groups.

A *group* is the checkpoints of one condition (e.g. intermediate task none / mnli /
multi-task), one per fine-tuning seed; the unit of replication is the checkpoint, so the
seed-level tests below have n = number of checkpoints per group (k_A, k_B), not examples.
For one language × perturbation each checkpoint contributes its paired drop (clean −
perturbed accuracy on the same examples, see ``paired``) and, for the hierarchical
bootstrap, its per-example outcomes.

Per group: mean and sample sd (ddof = 1) of clean accuracy and of drop.
Per pair (A, B), all on the checkpoints' drops, two-sided, diff = mean drop A − mean drop B
(positive: A loses more, i.e. is less robust):

- Welch's t-test (equals scipy ``ttest_ind(equal_var=False)``), n = k_A, k_B;
- Mann–Whitney U: exact null distribution without ties (scipy ``mannwhitneyu``, up to 100
  checkpoints), exact
  permutation distribution of U over all C(k_A+k_B, k_A) splits (midranks) with ties
  when that is at most 200 000 splits, tie-corrected normal approximation otherwise;
- Hedges' g = J · (mean_A − mean_B) / s_pooled, J = Γ(ν/2) / (sqrt(ν/2) Γ((ν−1)/2)),
  ν = k_A + k_B − 2, with a percentile bootstrap CI (checkpoints resampled within each
  group; replicates with s_pooled = 0 are dropped) and, because that percentile interval
  is too narrow with ~5 seeds per group, also the noncentral-t interval (normal theory);
- hierarchical bootstrap CI of diff (percentile): per replicate, resample k_A checkpoints
  of A and k_B of B with replacement, then within every resampled checkpoint resample
  its n examples with replacement (clean and perturbed outcomes together, perturbation
  seeds fixed; drawn exactly as a multinomial over the example categories), and take the
  difference of the groups' mean drops. Examples are resampled independently for each
  checkpoint although all checkpoints share one test set;
- Almost Stochastic Order on −drop (higher = more robust): eps_min that A is more robust
  than B and that B is more robust than A (see ``aso``); "more robust" when < threshold.

Where the design cannot support a p-value (``design``), it is ``None`` and the reason is
in ``refusals``.

The tests with a p-value (Welch, Mann–Whitney) are entries of ``GROUP_TESTS``: the
comparison, the multiple-comparison adjustment, ``comparisons.csv``, the report tables and
``--test`` all read that registry, so a new seed-level test is one ``register_group_test``
call (its function, names, columns and design check). Hedges' g, the hierarchical CI and
ASO are effect sizes and orders without a p-value to adjust; they keep their own columns.

Calibration measured by simulation (tests/test_stats_groups.py: 5 vs 5 seeds, 1000
examples, Bernoulli correctness, seed sd ≈ 1.5 points): under H0 at alpha = 0.05 Welch,
Mann–Whitney (at its exact attainable size) and the noncentral-t interval of g reject at
their nominal rate; the hierarchical CI excludes 0 less often (≈ 3 %: example noise is
counted twice, once in the seed spread and again by resampling examples); ASO's
eps_min < 0.2 is claimed ≈ 5 % of the time *per direction* (≈ 10 % for "either group
more robust"); the percentile bootstrap CI of g excludes 0 ≈ 12 % of the time — it
describes the effect size and must not be used as a test.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import lru_cache
from math import comb
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from robustx.registry import Registry
from robustx.stats import design
from robustx.stats.aso import aso
from robustx.stats.paired import PairedOutcomes, percentile_ci


@dataclass(frozen=True, eq=False)
class GroupData:
    """One group's checkpoints for one language × perturbation."""

    name: str
    drop: np.ndarray                                  # per checkpoint (float)
    clean_accuracy: np.ndarray | None = None          # per checkpoint
    outcomes: tuple[PairedOutcomes, ...] = ()         # per checkpoint, for the hierarchical bootstrap
    checkpoints: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "drop", np.asarray(self.drop, dtype=float).ravel())
        if self.clean_accuracy is not None:
            object.__setattr__(self, "clean_accuracy", np.asarray(self.clean_accuracy, dtype=float).ravel())
        if self.outcomes and len(self.outcomes) != self.drop.size:
            raise ValueError(f"group {self.name!r}: {len(self.outcomes)} outcome sets for {self.drop.size} drops")

    @classmethod
    def from_outcomes(cls, name: str, outcomes: Sequence[PairedOutcomes], checkpoints: Sequence[str] = ()) -> "GroupData":
        return cls(name, np.array([o.drop for o in outcomes]), np.array([o.clean_accuracy for o in outcomes]),
                   tuple(outcomes), tuple(checkpoints))

    @property
    def k(self) -> int:
        return int(self.drop.size)


def _mean_sd(x: np.ndarray | None) -> tuple[float | None, float | None]:
    if x is None or x.size == 0:
        return None, None
    return float(x.mean()), (float(x.std(ddof=1)) if x.size > 1 else None)


@dataclass(frozen=True)
class GroupSummary:
    group: str
    k: int                        # checkpoints = fine-tuning seeds
    clean_mean: float | None
    clean_sd: float | None        # ddof = 1; None for one checkpoint
    drop_mean: float | None
    drop_sd: float | None
    warnings: tuple[str, ...] = ()


def summarize_group(g: GroupData) -> GroupSummary:
    """Mean ± sample sd over the group's checkpoints of clean accuracy and of drop."""
    cm, cs = _mean_sd(g.clean_accuracy)
    dm, ds = _mean_sd(g.drop)
    return GroupSummary(g.name, g.k, cm, cs, dm, ds, tuple(design.seed_warnings({g.name: g.k})))


# -- seed-level tests -------------------------------------------------------------------

def welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float] | str:
    """(t, df, two-sided p) of Welch's t-test, or the reason there is none.

    t = (mean_A − mean_B) / sqrt(s²_A/k_A + s²_B/k_B), Welch–Satterthwaite df, p from the t
    distribution (same numbers as scipy ``ttest_ind(equal_var=False)``, tested).
    """
    from scipy.special import stdtr

    a, b = np.asarray(a, float), np.asarray(b, float)
    reason = design.welch_refusal(a.size, b.size)
    if reason:
        return reason
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return "Welch's t-test: no variation within either group (all drops equal); no p-value"
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    t = (a.mean() - b.mean()) / np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    return float(t), float(df), float(min(1.0, 2 * stdtr(df, -abs(t))))


#: Up to this many splits the tie-aware permutation distribution of U is enumerated.
MAX_EXACT_SPLITS = 200_000


def mann_whitney(a: np.ndarray, b: np.ndarray, alpha: float = 0.05) -> tuple[float, float, str] | str:
    """(U of A, two-sided p, method) of the Mann–Whitney U test, or the reason there is none.

    Two-sided p = min(1, 2 · min(P(U ≤ u), P(U ≥ u))) under the null distribution: exact
    (scipy) without ties up to 100 checkpoints in all; with ties the exact permutation
    distribution of U over all C(k_A + k_B, k_A) splits of the midranks (scipy's
    ``PermutationMethod`` convention, tested) while that is at most ``MAX_EXACT_SPLITS``;
    else the tie-corrected normal approximation.
    """
    from scipy.stats import mannwhitneyu, rankdata

    a, b = np.asarray(a, float), np.asarray(b, float)
    reason = design.mannwhitney_refusal(a.size, b.size, alpha)
    if reason:
        return reason
    pooled = np.concatenate([a, b])
    ties = np.unique(pooled).size < pooled.size
    if not ties and pooled.size <= 100:
        res = mannwhitneyu(a, b, alternative="two-sided", method="exact")
        return float(res.statistic), float(res.pvalue), "exact"
    if ties and comb(pooled.size, a.size) <= MAX_EXACT_SPLITS:
        ranks = rankdata(pooled)
        offset = a.size * (a.size + 1) / 2
        u_all = ranks[_splits(pooled.size, a.size)].sum(axis=1) - offset
        u = ranks[: a.size].sum() - offset
        eps = 1e-9 * max(1.0, abs(u))
        p = min(1.0, 2 * min(np.mean(u_all <= u + eps), np.mean(u_all >= u - eps)))
        return float(u), float(p), "exact permutation (ties)"
    res = mannwhitneyu(a, b, alternative="two-sided", method="asymptotic")
    return float(res.statistic), float(res.pvalue), "normal approximation (tie-corrected)"


@lru_cache(maxsize=16)
def _splits(n: int, k: int) -> np.ndarray:
    """Every k-subset of range(n), one per row (read-only)."""
    out = np.fromiter(itertools.chain.from_iterable(itertools.combinations(range(n), k)), dtype=np.int64)
    out = out.reshape(-1, k)
    out.setflags(write=False)
    return out


# -- the registry of seed-level tests ---------------------------------------------------------

@dataclass(frozen=True)
class GroupTest:
    """A seed-level test of two groups' drops with a two-sided p-value: all that a new test needs.

    Each registered test is run on every pair, its raw p-value adjusted within the family,
    reported in ``comparisons.csv`` and the report tables, and selectable by ``--test``.
    """

    name: str                                             # --test value, refusal key, column prefix
    title: str                                            # in sentences: "adjusted Welch's t-test p ≤ 0.05"
    label: str                                            # in table headers: "Welch p"
    columns: tuple[str, ...]                              # what ``run`` returns, in comparisons.csv order
    run: Callable[[np.ndarray, np.ndarray, float], tuple | str]   # (drops A, drops B, alpha) -> values or why none
    refusal: Callable[[int, int, float], str | None]      # (k_A, k_B, alpha) -> why the design cannot support it

    def __post_init__(self):
        if self.p not in self.columns:
            raise ValueError(f"group test {self.name!r}: columns must include its p-value {self.p!r}")

    @property
    def p(self) -> str:
        return f"{self.name}_p"

    @property
    def p_adj(self) -> str:
        return f"{self.name}_p_adj"

    @property
    def table_columns(self) -> tuple[str, ...]:
        """``columns`` with the adjusted p-value right after the raw one."""
        i = self.columns.index(self.p) + 1
        return (*self.columns[:i], self.p_adj, *self.columns[i:])


#: Registration order is the order of the tests' columns in comparisons.csv and the report tables;
#: the first is the default ``--test`` (whose adjusted p sets the significance marks).
GROUP_TESTS: Registry[GroupTest] = Registry("group test")


def register_group_test(test: GroupTest) -> None:
    GROUP_TESTS.register(test.name, test)


def group_tests() -> list[GroupTest]:
    """Every registered seed-level test, in registration order."""
    return [GROUP_TESTS.get(name) for name in GROUP_TESTS.in_registration_order()]


register_group_test(GroupTest(
    "welch", "Welch's t-test", "Welch", ("welch_t", "welch_df", "welch_p"),
    run=lambda a, b, alpha: welch(a, b), refusal=lambda k_a, k_b, alpha: design.welch_refusal(k_a, k_b)))
register_group_test(GroupTest(
    "mannwhitney", "Mann–Whitney U", "MW", ("mannwhitney_u", "mannwhitney_p", "mannwhitney_method"),
    run=mann_whitney, refusal=design.mannwhitney_refusal))


def hedges_g(a: np.ndarray, b: np.ndarray) -> float:
    """Bias-corrected standardized mean difference (A − B) / s_pooled · J (exact J)."""
    from scipy.special import gammaln

    na, nb = len(a), len(b)
    nu = na + nb - 2
    sp = np.sqrt(((na - 1) * np.var(a, ddof=1) + (nb - 1) * np.var(b, ddof=1)) / nu)
    j = np.exp(gammaln(nu / 2) - gammaln((nu - 1) / 2)) / np.sqrt(nu / 2)
    return float(j * (np.mean(a) - np.mean(b)) / sp) if sp > 0 else float("nan")


def hedges_g_bootstrap(a: np.ndarray, b: np.ndarray, rng: np.random.Generator, n_boot: int = 2000) -> np.ndarray:
    """Hedges' g of ``n_boot`` replicates resampling the checkpoints of each group (finite ones only)."""
    from scipy.special import gammaln

    a, b = np.asarray(a, float), np.asarray(b, float)
    na, nb = a.size, b.size
    ra = a[rng.integers(0, na, size=(n_boot, na))]
    rb = b[rng.integers(0, nb, size=(n_boot, nb))]
    nu = na + nb - 2
    sp = np.sqrt(((na - 1) * ra.var(axis=1, ddof=1) + (nb - 1) * rb.var(axis=1, ddof=1)) / nu)
    j = np.exp(gammaln(nu / 2) - gammaln((nu - 1) / 2)) / np.sqrt(nu / 2)
    ok = sp > 1e-12 * max(1.0, float(np.abs(np.concatenate([a, b])).max()))
    return j * (ra.mean(axis=1)[ok] - rb.mean(axis=1)[ok]) / sp[ok]


def hedges_g_ci_nct(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """CI for the population standardized difference by inverting the noncentral t (Hedges & Olkin 1985).

    Assumes normal drops with equal variances: t = d · sqrt(k_A k_B / (k_A + k_B)) with d the
    pooled-sd standardized difference follows a noncentral t with ν = k_A + k_B − 2 and
    noncentrality δ · sqrt(k_A k_B / (k_A + k_B)); the limits are the δ at which t is the
    (1 ± level)/2 quantile. Under those assumptions the interval excludes 0 exactly when
    the pooled two-sample t-test rejects, so it is calibrated where the percentile
    bootstrap of g with ~5 seeds per group is not (see tests/test_stats_groups.py).
    """
    from scipy.optimize import brentq
    from scipy.special import nctdtr

    na, nb = len(a), len(b)
    nu = na + nb - 2
    sp = np.sqrt(((na - 1) * np.var(a, ddof=1) + (nb - 1) * np.var(b, ddof=1)) / nu)
    if not sp > 0:
        return float("nan"), float("nan")
    scale = np.sqrt(na * nb / (na + nb))
    t = (np.mean(a) - np.mean(b)) / sp * scale

    def limit(q: float) -> float:
        f = lambda lam: nctdtr(nu, lam, t) - q
        lo, hi = t - 10.0, t + 10.0
        while f(lo) < 0:
            lo -= 10.0
        while f(hi) > 0:
            hi += 10.0
        return brentq(f, lo, hi, xtol=1e-10)

    return float(limit((1 + level) / 2) / scale), float(limit((1 - level) / 2) / scale)


def hierarchical_bootstrap(a: Sequence[PairedOutcomes], b: Sequence[PairedOutcomes], rng: np.random.Generator,
                           n_boot: int = 2000) -> np.ndarray:
    """``n_boot`` replicates of mean drop(A) − mean drop(B): checkpoints, then examples, resampled."""
    return _group_mean_drops(a, rng, n_boot) - _group_mean_drops(b, rng, n_boot)


def _group_mean_drops(outcomes: Sequence[PairedOutcomes], rng: np.random.Generator, n_boot: int) -> np.ndarray:
    k = len(outcomes)
    pick = rng.integers(0, k, size=(n_boot, k))
    drops = np.empty((n_boot, k))
    for j, o in enumerate(outcomes):
        mask = pick == j
        m = int(mask.sum())
        if m == 0:
            continue
        drops[mask] = o.resampled_drops(rng, m)
    return drops.mean(axis=1)


# -- comparison --------------------------------------------------------------------------

@dataclass(frozen=True)
class GroupComparison:
    """Group A vs group B on per-checkpoint drops (diff = mean drop A − mean drop B)."""

    group_a: str
    group_b: str
    k_a: int
    k_b: int
    mean_drop_a: float
    mean_drop_b: float
    diff: float
    seed_tests: Mapping[str, Any] = field(default_factory=dict)   # every registered test's columns (None: refused)
    hedges_g: float | None = None
    hedges_g_ci: tuple[float, float] | None = None      # percentile bootstrap (anti-conservative at k ≈ 5)
    hedges_g_ci_nct: tuple[float, float] | None = None  # noncentral-t inversion (normal, equal variances)
    hierarchical_ci: tuple[float, float] | None = None
    aso_a_more_robust: float | None = None         # eps_min for "A drops less than B"
    aso_b_more_robust: float | None = None
    aso_threshold: float = 0.2
    aso_verdict: str | None = None                 # "A more robust" / "B more robust" / "no order"
    ci_level: float = 0.95
    n_boot: int = 0
    refusals: dict = field(default_factory=dict)   # test -> why no value
    warnings: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Any:
        # A registered test's values read like fields (c.welch_p), whichever tests are registered.
        tests = self.__dict__.get("seed_tests", {})
        if name in tests:
            return tests[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def compare_groups(a: GroupData, b: GroupData, rng: np.random.Generator, *, alpha: float = 0.05,
                   level: float = 0.95, n_boot: int = 2000, aso_boot: int = 1000,
                   aso_threshold: float = 0.2, aso_comparisons: int = 1) -> GroupComparison:
    """Every seed-level statistic of A vs B (see module docstring); p-values are two-sided, raw."""
    da, db = a.drop, b.drop
    out: dict = {"refusals": {}, "seed_tests": {}}
    for test in group_tests():
        values = test.run(da, db, alpha)
        if isinstance(values, str):
            out["refusals"][test.name] = values
            values = (None,) * len(test.columns)
        out["seed_tests"].update(zip(test.columns, values))
    reason = design.hedges_refusal(a.k, b.k)
    if reason:
        out["refusals"]["hedges_g"] = reason
    else:
        g = hedges_g(da, db)
        if np.isfinite(g):
            out["hedges_g"] = g
            out["hedges_g_ci"] = percentile_ci(hedges_g_bootstrap(da, db, rng, n_boot), level)
            out["hedges_g_ci_nct"] = hedges_g_ci_nct(da, db, level)
        else:
            out["refusals"]["hedges_g"] = "Hedges' g: no variation within the groups (pooled sd 0)"
    if a.outcomes and b.outcomes:
        out["hierarchical_ci"] = percentile_ci(hierarchical_bootstrap(a.outcomes, b.outcomes, rng, n_boot), level)
    else:
        out["refusals"]["hierarchical"] = "hierarchical bootstrap needs per-example outcomes of every checkpoint"
    reason = design.aso_refusal(a.k, b.k)
    if reason:
        out["refusals"]["aso"] = reason
    else:
        res = aso(-da, -db, rng, confidence=1 - alpha, n_boot=aso_boot, num_comparisons=aso_comparisons)
        out["aso_a_more_robust"], out["aso_b_more_robust"] = res.eps_min, res.eps_min_reverse
        out["aso_verdict"] = ("A more robust" if res.eps_min < aso_threshold
                              else "B more robust" if res.eps_min_reverse < aso_threshold else "no order")
    return GroupComparison(
        group_a=a.name, group_b=b.name, k_a=a.k, k_b=b.k, mean_drop_a=float(da.mean()), mean_drop_b=float(db.mean()),
        diff=float(da.mean() - db.mean()), aso_threshold=aso_threshold, ci_level=level, n_boot=n_boot,
        warnings=tuple(design.seed_warnings({a.name: a.k, b.name: b.k})), **out,
    )


def compare_all(groups: Mapping[str, GroupData] | Sequence[GroupData], rng: np.random.Generator,
                **kwargs) -> list[GroupComparison]:
    """``compare_groups`` for every unordered pair, in the given order of groups."""
    items = list(groups.values()) if isinstance(groups, Mapping) else list(groups)
    return [compare_groups(x, y, rng, **kwargs) for i, x in enumerate(items) for y in items[i + 1:]]
