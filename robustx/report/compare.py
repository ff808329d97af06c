"""Compare groups of checkpoints on their per-language drops, with multiple-comparison control.

For every language × perturbation and every pair of groups (A, B), ``robustx.stats.groups``
compares the checkpoints' paired drops (diff = mean drop A − mean drop B; positive: A
loses more, i.e. is less robust): every registered seed-level test (``GROUP_TESTS``:
Welch's t, Mann–Whitney U; two-sided), Hedges' g, the hierarchical-bootstrap CI of diff
(checkpoints, then examples) and ASO.
Raw p-values are adjusted by Holm or Benjamini–Hochberg (``robustx.stats.multiple``)
within a *family*:

- ``lang``: for each pair of groups and each perturbation, the family is the languages;
- ``lang×perturbation``: for each pair of groups, languages × perturbations;
- ``all``: every pair, language and perturbation together.

ASO's eps_min is Bonferroni-corrected for the same family size. P-values the design
cannot support (``robustx.stats.design``) are ``None`` and their reason is kept; they
are not part of any family.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from robustx.errors import RobustxError
from robustx.report.tidy import CLEAN, RunData
from robustx.stats.groups import GROUP_TESTS, GroupTest, group_tests

FAMILIES = {"lang": ("perturbation",), "lang×perturbation": (), "all": None}
_FAMILY_ALIASES = {
    "lang": "lang", "language": "lang", "languages": "lang",
    "lang×perturbation": "lang×perturbation", "langxperturbation": "lang×perturbation",
    "lang-x-perturbation": "lang×perturbation", "lang*perturbation": "lang×perturbation",
    "lang,perturbation": "lang×perturbation", "lang_perturbation": "lang×perturbation",
    "lang+perturbation": "lang×perturbation", "all": "all",
}
CORRECTIONS = {"holm": "Holm (FWER)", "bh": "Benjamini–Hochberg (FDR)"}


def normalize_family(name: str) -> str:
    key = name.strip().lower().replace(" ", "")
    if key not in _FAMILY_ALIASES:
        raise RobustxError(f"--family: unknown family {name!r}; choose lang, lang×perturbation (or "
                           "lang-x-perturbation) or all")
    return _FAMILY_ALIASES[key]


@dataclass(frozen=True)
class CompareOptions:
    by: str = "group"
    family: str = "lang"
    correction: str = "holm"
    test: str | None = None       # the registered test whose adjusted p sets the marks (None: the first)
    alpha: float = 0.05
    level: float = 0.95
    n_boot: int = 2000
    aso_boot: int = 1000
    aso_threshold: float = 0.2

    def __post_init__(self):
        object.__setattr__(self, "family", normalize_family(self.family))
        object.__setattr__(self, "test", self.test or group_tests()[0].name)
        if self.correction not in CORRECTIONS:
            raise RobustxError(f"--correction: choose one of {', '.join(CORRECTIONS)}")
        if self.test not in GROUP_TESTS:
            raise RobustxError(f"--test: {GROUP_TESTS.unknown_message(self.test)}")
        if not 0 < self.alpha < 1:
            raise RobustxError("--alpha must be in (0, 1)")

    @property
    def marking_test(self) -> GroupTest:
        return GROUP_TESTS.get(self.test)

    def family_description(self, n_langs: int, n_perts: int, n_pairs: int) -> str:
        if self.family == "lang":
            return f"per pair of groups and perturbation: {n_langs} languages"
        if self.family == "lang×perturbation":
            return f"per pair of groups: {n_langs} languages × {n_perts} perturbations"
        return f"all {n_pairs} pairs × {n_langs} languages × {n_perts} perturbations"


@dataclass
class Comparison:
    """Group statistics and pairwise comparisons of one run, ready for tables and plots."""

    options: CompareOptions
    groups: dict[str, list[str]]                      # group label -> checkpoint names (study order)
    group_rows: list[dict[str, Any]]                  # per group × lang × perturbation
    rows: list[dict[str, Any]]                        # per pair × lang × perturbation
    warnings: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # design-level: which tests give no p-value, why
    family: str = ""

    @property
    def pairs(self) -> list[tuple[str, str]]:
        seen: dict[tuple[str, str], None] = {}
        for r in self.rows:
            seen.setdefault((r["group_a"], r["group_b"]), None)
        return list(seen)

    def refusal_reasons(self) -> list[str]:
        """Distinct reasons for withheld statistics, in first-seen order (for footnotes)."""
        seen: dict[str, None] = {}
        for r in self.rows:
            for reason in r["refusals"].values():
                seen.setdefault(reason, None)
        return list(seen)


def group_label(ckpt: dict, by: str) -> str:
    """The value of ``by`` for a checkpoint of study.json (``intermediate`` joined by '+')."""
    if by == "intermediate":
        return "+".join(ckpt.get("intermediate") or []) or "none"
    if by in ckpt and ckpt[by] not in (None, "") and not isinstance(ckpt[by], (dict, list)):
        return str(ckpt[by])
    meta = ckpt.get("metadata") or {}
    if by in meta and not isinstance(meta[by], (dict, list)):
        return str(meta[by])
    raise RobustxError(f"--by {by}: checkpoint {ckpt.get('name')!r} has no scalar field {by!r} "
                       "(use group, intermediate, or a checkpoint metadata key)")


def _outcomes(run: RunData, ckpt: str, lang: str, pert: str):
    """The checkpoint's paired per-example outcomes (clean, and one row per perturbation seed)."""
    import numpy as np

    from robustx.stats.paired import PairedOutcomes
    from robustx.stats.scored import ScoredOutcomes

    if not run.outcomes_complete(ckpt, lang, pert):
        return None
    clean = run.predictions[ckpt, lang, CLEAN]
    seeds = run.perturbation_seeds
    perturbed = [run.predictions[ckpt, lang, f"{pert}@{s}"] for s in seeds]
    if clean.parts is not None:
        return ScoredOutcomes(np.stack([clean.parts, *(p.parts_aligned_to(clean.ids) for p in perturbed)]),
                              tuple(seeds), clean.ids)
    return PairedOutcomes(clean.correct, np.stack([p.aligned_to(clean.ids) for p in perturbed]), tuple(seeds),
                          clean.ids)


def _group_ci(outcomes, drops, rng, opts: CompareOptions, summary_ci) -> tuple[tuple[float, float] | None, str]:
    """CI of a group's mean drop: hierarchical bootstrap where per-example outcomes exist."""
    import numpy as np

    from robustx.stats.groups import _group_mean_drops
    from robustx.stats.paired import percentile_ci

    if outcomes is not None:
        draws = _group_mean_drops(outcomes, rng, opts.n_boot)
        how = ("paired bootstrap over examples" if len(outcomes) == 1
               else "hierarchical bootstrap (checkpoints, then examples)")
        return percentile_ci(draws, opts.level), how
    if len(drops) == 1:
        return (tuple(summary_ci) if summary_ci else None), "paired bootstrap over examples (summary.json)"
    from scipy.stats import t

    k = len(drops)
    half = float(t.ppf((1 + opts.level) / 2, k - 1) * np.std(drops, ddof=1) / math.sqrt(k))
    m = float(np.mean(drops))
    return (m - half, m + half), f"t interval over {k} checkpoints (no per-example files)"


def compare_run(run: RunData, options: CompareOptions | None = None) -> Comparison:
    """Group summaries and every pairwise group comparison of ``run`` (see module docstring)."""
    import numpy as np

    from robustx.hashing import stable_seed
    from robustx.stats import design
    from robustx.stats.groups import GroupData, compare_all
    from robustx.stats.multiple import adjust_rows

    opts = options or CompareOptions()
    groups: dict[str, list[str]] = {}
    for ckpt in run.checkpoints:
        groups.setdefault(group_label(ckpt, opts.by), []).append(ckpt["name"])
    results = {(r["checkpoint"], r["lang"], r["perturbation"]): r for r in run.summary.get("results", [])}
    langs, perts = run.languages, run.perturbations
    n_pairs = len(groups) * (len(groups) - 1) // 2
    family_size = (len(langs) * (1 if opts.family == "lang" else len(perts))
                   * (n_pairs if opts.family == "all" else 1))

    sizes = {g: len(c) for g, c in groups.items()}
    checks = design.check_design(sizes, opts.alpha)
    warnings = list(checks["warnings"])
    seed_warning = design.perturbation_seed_warning(len(run.perturbation_seeds))
    if seed_warning:
        warnings.append(seed_warning)
    if len(groups) < 2:
        warnings.append(f"only one group by {opts.by!r} ({next(iter(groups), '-')}): no group comparison; "
                        "a study needs ≥ 2 groups (e.g. intermediate-training conditions) to compare")
    untouched = _untouched(results.values())
    if untouched:
        warnings.append("nothing to perturb (no eligible word in any example), so the drop is 0 by construction: "
                        + "; ".join(f"{pert} in {', '.join(langs_)}" for pert, langs_ in untouched.items()))

    group_rows, rows = [], []
    for pert in perts:
        for lang in langs:
            rng = np.random.default_rng(stable_seed("report-compare", opts.by, lang, pert))
            data = []
            for g, names in groups.items():
                members = [results[n, lang, pert] for n in names if (n, lang, pert) in results]
                if not members:
                    continue
                drops = np.array([m["abs_drop"] for m in members])
                clean = np.array([m["clean_accuracy"] for m in members])
                outs = [_outcomes(run, m["checkpoint"], lang, pert) for m in members]
                outs = None if any(o is None for o in outs) else outs
                single_ci = members[0].get("abs_drop_ci95") if len(members) == 1 else None
                ci, how = _group_ci(outs, drops, rng, opts, single_ci)
                group_rows.append({
                    "group": g, "lang": lang, "perturbation": pert, "k": len(members),
                    "clean_mean": float(clean.mean()),
                    "clean_sd": float(clean.std(ddof=1)) if len(members) > 1 else None,
                    "drop_mean": float(drops.mean()), "drop_sd": float(drops.std(ddof=1)) if len(members) > 1 else None,
                    "drop_ci_low": ci[0] if ci else None, "drop_ci_high": ci[1] if ci else None, "ci_method": how,
                    "rel_drop_mean": _mean([m.get("rel_drop") for m in members]),
                    "achieved_rate_mean": _mean([m.get("achieved_rate") for m in members]),
                })
                data.append(GroupData(g, drops, clean, tuple(outs) if outs else (),
                                      tuple(m["checkpoint"] for m in members)))
            if len(data) < 2:
                continue
            for c in compare_all(data, rng, alpha=opts.alpha, level=opts.level, n_boot=opts.n_boot,
                                 aso_boot=opts.aso_boot, aso_threshold=opts.aso_threshold,
                                 aso_comparisons=family_size):
                rows.append(_row(c, lang, pert))

    by = FAMILIES[opts.family]
    keys = ("group_a", "group_b") + by if by is not None else ()
    for test in group_tests():
        rows = adjust_rows(rows, test.p, by=keys, method=opts.correction, out_key=test.p_adj)
    for r in rows:
        adj = r[opts.marking_test.p_adj]
        r["significant"] = None if adj is None else bool(adj <= opts.alpha)
        lo, hi = r["diff_ci_low"], r["diff_ci_high"]
        r["ci_excludes_zero"] = None if lo is None or hi is None else bool(lo > 0 or hi < 0)
        r["correction"] = opts.correction
        r["family"] = opts.family
    refusals = list(checks["refusals"])
    return Comparison(opts, groups, group_rows, rows, warnings, refusals,
                      opts.family_description(len(langs), len(perts), n_pairs))


def _untouched(results) -> dict[str, list[str]]:
    """Perturbation -> the languages where it found no unit to change (summary rows with no achieved rate)."""
    out: dict[str, list[str]] = {}
    for r in results:
        if "achieved_rate" in r and r["achieved_rate"] is None and r["lang"] not in out.get(r["perturbation"], []):
            out.setdefault(r["perturbation"], []).append(r["lang"])
    return out


def _mean(values) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def _row(c, lang: str, pert: str) -> dict[str, Any]:
    h = c.hierarchical_ci or (None, None)
    g_ci = c.hedges_g_ci_nct or (None, None)
    return {
        "group_a": c.group_a, "group_b": c.group_b, "lang": lang, "perturbation": pert,
        "k_a": c.k_a, "k_b": c.k_b, "mean_drop_a": c.mean_drop_a, "mean_drop_b": c.mean_drop_b, "diff": c.diff,
        "diff_ci_low": h[0], "diff_ci_high": h[1], **c.seed_tests,
        "hedges_g": c.hedges_g, "hedges_g_ci_low": g_ci[0], "hedges_g_ci_high": g_ci[1],
        "aso_a_more_robust": c.aso_a_more_robust, "aso_b_more_robust": c.aso_b_more_robust,
        "aso_verdict": {"A more robust": f"{c.group_a} more robust", "B more robust": f"{c.group_b} more robust"}
        .get(c.aso_verdict, c.aso_verdict), "refusals": dict(c.refusals),
    }


def columns() -> tuple[str, ...]:
    """Column order of ``comparisons.csv`` (``refusals`` flattened to one text column)."""
    return ("group_a", "group_b", "lang", "perturbation", "k_a", "k_b", "mean_drop_a", "mean_drop_b", "diff",
            "diff_ci_low", "diff_ci_high", *(c for test in group_tests() for c in test.table_columns),
            # One family size, the default test's: families are the same for every test (bar refused p-values).
            "correction", "family", f"{group_tests()[0].p_adj}_family_size",
            "significant", "ci_excludes_zero", "hedges_g", "hedges_g_ci_low", "hedges_g_ci_high",
            "aso_a_more_robust", "aso_b_more_robust", "aso_verdict", "refusals")


def table_rows(comp: Comparison) -> list[dict[str, Any]]:
    return [{**r, "refusals": " | ".join(f"{k}: {v}" for k, v in r["refusals"].items()) or None} for r in comp.rows]


# -- formatting shared by the terminal, Markdown and HTML renderers ---------------------------

def fmt_p(p: float | None) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "—"
    if p < 0.001:
        return "<0.001"
    return f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def fmt_pts(x: float | None, digits: int = 1) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:+.{digits}f}"


def fmt_ci(lo: float | None, hi: float | None) -> str:
    if lo is None or hi is None:
        return "—"
    return f"[{100 * lo:.1f}, {100 * hi:.1f}]"


def p_cell(row: dict, test: GroupTest, reasons: list[str]) -> tuple[str, str]:
    """(raw, adjusted) p text of ``test`` for a comparison row; withheld ones name their footnote."""
    p = row.get(test.p)
    if p is None:
        reason = row["refusals"].get(test.name)
        note = f" [{reasons.index(reason) + 1}]" if reason in reasons else ""
        return f"withheld{note}", "—"
    return fmt_p(p), fmt_p(row.get(test.p_adj))


def p_headers() -> list[str]:
    """Table headers of every registered test's raw and adjusted p, in the order of ``p_cells``."""
    return [h for test in group_tests() for h in (f"{test.label} p", "adj.")]


def p_cells(row: dict, reasons: list[str]) -> list[str]:
    """Every registered test's (raw, adjusted) p text for a comparison row (plain text)."""
    return [cell for test in group_tests() for cell in p_cell(row, test, reasons)]


def refused(row: dict, test: str, reasons: list[str]) -> str:
    """"—" with the footnote number of why ``test`` (welch, mannwhitney, hedges_g, aso, hierarchical) is missing."""
    reason = row["refusals"].get(test)
    return f"— [{reasons.index(reason) + 1}]" if reason in reasons else "—"


# A seed-level test sees only the spread of the groups' few drops; the hierarchical CI also
# resamples examples. When they disagree the reader should know (e.g. 3 drops that agree by chance).
DAGGER_NOTE = ("† the hierarchical CI (checkpoints, then examples) of that difference includes 0: the seed-level test "
               "sees only the spread of the groups' drops, not example sampling")


def mark(row: dict) -> str:
    """``*`` for a significant row, ``*†`` when its hierarchical CI nevertheless includes 0."""
    if not row.get("significant"):
        return ""
    return "*†" if row.get("ci_excludes_zero") is False else "*"


def render_comparison(comp: Comparison, console) -> None:
    """Rich tables: one per pair of groups and perturbation."""
    from rich.markup import escape
    from rich.table import Table

    opts = comp.options
    reasons = comp.refusal_reasons()
    for w in comp.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}")
    for a, b in comp.pairs:
        for pert in dict.fromkeys(r["perturbation"] for r in comp.rows):
            rows = [r for r in comp.rows if (r["group_a"], r["group_b"], r["perturbation"]) == (a, b, pert)]
            if not rows:
                continue
            ea, eb = escape(a), escape(b)
            title = (f"[bold]{ea}[/] vs [bold]{eb}[/] · {escape(pert)} · diff = drop {ea} − drop {eb} (pts) · "
                     f"{CORRECTIONS[opts.correction]} within families ({comp.family})")
            table = Table(title=title, title_justify="left")
            for col in ("lang", f"k {ea}/{eb}", "diff", f"{int(opts.level * 100)}% CI (hier.)", *p_headers(),
                        "Hedges g", "ASO", ""):
                table.add_column(col, justify="left" if col in ("lang", "ASO") else "right", no_wrap=True)
            for r in rows:
                g = "—" if r["hedges_g"] is None else f"{r['hedges_g']:+.2f}"
                table.add_row(r["lang"], f"{r['k_a']}/{r['k_b']}", fmt_pts(r["diff"]),
                              fmt_ci(r["diff_ci_low"], r["diff_ci_high"]), *p_cells(r, reasons), g,
                              r["aso_verdict"] or "—", mark(r))
            console.print(table)
    if comp.rows:
        console.print(f"* adjusted {opts.marking_test.title} p ≤ {opts.alpha:g}; raw p left of its adjusted value")
        console.print(DAGGER_NOTE)
    for i, reason in enumerate(reasons, 1):
        console.print(escape(f"[{i}] {reason}"))
