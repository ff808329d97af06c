"""Design checks: what a study's numbers of seeds can and cannot support.

Everything here returns data (strings, numbers, ``None``) for the report layer; nothing
warns through ``warnings`` or prints. A *warning* flags a weak but usable design (too few
fine-tuning seeds); a *refusal* is the reason a p-value is withheld, because the design
cannot produce a meaningful one (e.g. Welch's t with one checkpoint in a group, or a
Mann–Whitney test whose smallest attainable p-value already exceeds alpha).
"""

from __future__ import annotations

from math import comb
from typing import Mapping

#: Below this many fine-tuning seeds per group a warning is issued.
MIN_SEEDS = 3
#: What the warning recommends (Reimers & Gurevych 2017; FINDINGS.md "Significance").
RECOMMENDED_SEEDS = 5


def seed_warnings(group_sizes: Mapping[str, int]) -> list[str]:
    """One warning per group with fewer than ``MIN_SEEDS`` checkpoints (fine-tuning seeds)."""
    out = []
    for group, k in group_sizes.items():
        if k < MIN_SEEDS:
            out.append(
                f"group {group!r} has {k} fine-tuning seed{'s' if k != 1 else ''}: seed-level tests are "
                f"unreliable below {MIN_SEEDS}; at least {RECOMMENDED_SEEDS} seeds per group are recommended"
            )
    return out


def perturbation_seed_warning(n_seeds: int) -> str | None:
    """Seed variation of a perturbation cannot be estimated from a single perturbation seed."""
    if n_seeds < 2:
        return (f"{n_seeds} perturbation seed: perturbation-seed variation is not estimated "
                "(the bootstrap CI covers example sampling only); use ≥ 2 perturbation seeds")
    return None


def mannwhitney_min_p(n_a: int, n_b: int, alternative: str = "two-sided") -> float:
    """Smallest p-value the exact Mann–Whitney U test can attain with samples of n_a and n_b.

    Without ties the most extreme split has null probability 1 / C(n_a + n_b, n_a); the
    two-sided p-value doubles it. Ties can only make the smallest attainable p larger.
    """
    if n_a < 1 or n_b < 1:
        return 1.0
    one = 1.0 / comb(n_a + n_b, n_a)
    return min(1.0, 2 * one) if alternative == "two-sided" else one


def welch_refusal(n_a: int, n_b: int) -> str | None:
    """Why Welch's t-test gives no p-value for these group sizes, or None if it can."""
    if min(n_a, n_b) < 2:
        return (f"Welch's t-test needs ≥ 2 checkpoints per group for a variance (got {n_a} and {n_b}); "
                "no p-value")
    return None


def mannwhitney_refusal(n_a: int, n_b: int, alpha: float, alternative: str = "two-sided") -> str | None:
    """Why the Mann–Whitney U test gives no p-value here, or None if it can reject at ``alpha``."""
    if min(n_a, n_b) < 1:
        return f"Mann–Whitney U needs ≥ 1 checkpoint per group (got {n_a} and {n_b}); no p-value"
    p_min = mannwhitney_min_p(n_a, n_b, alternative)
    if p_min > alpha:
        return (f"Mann–Whitney U with {n_a} vs {n_b} checkpoints cannot reach p ≤ {alpha:g} "
                f"(smallest attainable {alternative} p = {p_min:.3g}); no p-value — add seeds")
    return None


def aso_refusal(n_a: int, n_b: int) -> str | None:
    """ASO's bootstrap bound needs some spread to resample; one score per group has none."""
    if min(n_a, n_b) < 2:
        return (f"ASO needs ≥ 2 checkpoints per group to bound the violation ratio (got {n_a} and {n_b}); "
                "no eps_min")
    return None


def hedges_refusal(n_a: int, n_b: int) -> str | None:
    if min(n_a, n_b) < 2:
        return f"Hedges' g needs ≥ 2 checkpoints per group (got {n_a} and {n_b}); no effect size"
    return None


def check_design(group_sizes: Mapping[str, int], alpha: float = 0.05) -> dict[str, list[str]]:
    """Warnings, and refusals of every registered seed-level test for every pair of groups,
    as ``{"warnings": [...], "refusals": [...]}``."""
    from robustx.stats.groups import group_tests   # the registry's module imports this one

    warnings = seed_warnings(group_sizes)
    refusals = []
    names = list(group_sizes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            for test in group_tests():
                reason = test.refusal(group_sizes[a], group_sizes[b], alpha)
                if reason:
                    refusals.append(f"{a} vs {b}: {reason}")
    return {"warnings": warnings, "refusals": refusals}
