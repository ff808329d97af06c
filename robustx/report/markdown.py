"""``report.md``: the report as GitHub-flavoured Markdown, plots linked from ``plots/*.svg``.

Same sections as the HTML report. In examples the replaced text of the original is
~~struck out~~ and the new text of the perturbed version is **bold**.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Sequence

from robustx.report.compare import (CORRECTIONS, DAGGER_NOTE, Comparison, fmt_ci, fmt_pts, mark, p_cells, p_headers,
                                    refused)
from robustx.report.html import drop_tables
from robustx.report.tidy import ExampleView, Segment

_SPECIAL = set("\\`*_[]|~<>&")


def md_escape(text: Any) -> str:
    """Text safe inside a Markdown table cell or paragraph (specials backslash-escaped)."""
    s = "" if text is None else str(text)
    out = []
    for ch in s:
        cat = unicodedata.category(ch)
        if ch == "\n":
            out.append(" ")
        elif cat in {"Cf", "Cc", "Co", "Cn", "Zl", "Zp"} or (cat == "Zs" and ch != " "):
            out.append(f"⟨U+{ord(ch):04X}⟩")
        elif ch in _SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def table(head: Sequence[str], rows: Sequence[Sequence[Any]], left: int = 1) -> str:
    align = ["---" if i < left else "---:" for i in range(len(head))]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _pct(x: float | None, sd: float | None = None) -> str:
    if x is None:
        return "—"
    return f"{100 * x:.1f}" + (f" ± {100 * sd:.1f}" if sd is not None else "")


def _wrap(text: str, delim: str) -> str:
    """``delim``-wrapped text with surrounding spaces kept outside (Markdown needs that); ‸ if blank."""
    core = text.strip()
    if not core:
        return text.replace("\n", " ") + "‸" if text else "‸"
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    return f"{lead}{delim}{md_escape(core)}{delim}{trail}"


def segments_md(segments: Sequence[Segment], side: str) -> str:
    out = []
    for s in segments:
        if not s.changed:
            out.append(md_escape(s.before))
        else:
            out.append(_wrap(s.before if side == "original" else s.after, "~~" if side == "original" else "**"))
    return "".join(out)


def example_md(ex: ExampleView) -> str:
    flips = f"fooled {ex.flipped} of {ex.checkpoints} checkpoints" if ex.checkpoints else "no predictions"
    lines = [f"- **{md_escape(ex.perturbation)}** · seed {ex.seed} · `{ex.id}` · gold {md_escape(ex.gold)} · "
             f"{ex.changed}/{ex.units} units edited · {flips}"]
    for name, segs in ex.fields.items():
        if any(s.changed for s in segs):
            lines.append(f"  - {md_escape(name)}, original: {segments_md(segs, 'original')}")
            lines.append(f"  - {md_escape(name)}, perturbed: {segments_md(segs, 'perturbed')}")
        else:
            lines.append(f"  - {md_escape(name)}: {segments_md(segs, 'original')}")
    return "\n".join(lines)


def render_markdown(*, run, comp: Comparison, plot_files: dict[str, str], forest_files: dict[tuple[str, str], str],
                    examples: dict[str, list[ExampleView]], repro: dict[str, Any], table_notes: Sequence[str] = (),
                    generated: str = "", attacks: dict[str, Any] | None = None) -> str:
    opts = comp.options
    level = int(opts.level * 100)
    s = run.summary
    out = [f"# robustx report · {md_escape(s.get('study') or run.study.get('name', ''))}", "",
           f"{md_escape(run.task)} · {len(run.checkpoints)} checkpoints in {len(comp.groups)} "
           f"group{'s' * (len(comp.groups) != 1)} · {len(run.languages)} languages · "
           f"{len(run.perturbations)} perturbations · {len(run.perturbation_seeds)} perturbation "
           f"seed{'s' * (len(run.perturbation_seeds) != 1)}" + (f" · generated {generated}" if generated else ""),
           "", "## Design", "",
           "Checkpoints (fine-tuning seeds) per group by `" + opts.by + "`: "
           + ", ".join(f"{md_escape(g)}: {len(c)}" for g, c in comp.groups.items()), ""]
    if comp.warnings:
        out += ["**Warnings**", ""] + [f"- ⚠ {md_escape(w)}" for w in comp.warnings] + [""]
    if comp.refusals:
        out += ["**Tests the design cannot support (p-values withheld)**", ""]
        out += [f"- {md_escape(r)}" for r in comp.refusals] + [""]
    for note in table_notes:
        out.append(f"- note: {md_escape(note)}")

    out += ["", "## Drop per language", "", f"![drop per language]({plot_files['drop']})", "",
            f"Mean drop (clean − perturbed {run.scorer.label}, points) per group with {level}% CI (hierarchical bootstrap "
            "over checkpoints, then examples); ± is the sd over the group's checkpoints.", ""]
    titles, tables = drop_tables(comp, run.languages, run.perturbations, opts.level, run.scorer.label,
                                 run.summary.get("baseline"))
    for title, (head, rows) in zip(titles, tables):
        out += [f"### {md_escape(title)}", "", table([md_escape(h) for h in head],
                                                      [[md_escape(c) for c in row] for row in rows]), ""]

    out += ["## Language × perturbation heat map", "", f"![heat map]({plot_files['heatmap']})", ""]

    out += ["## Group comparison", ""]
    if not comp.rows:
        out += [f"No comparison: fewer than two groups by `{opts.by}`.", ""]
    else:
        reasons = comp.refusal_reasons()
        out += [f"diff = mean drop A − mean drop B (points; < 0: A more robust), {level}% hierarchical-bootstrap CI. "
                f"p-values two-sided, adjusted by {CORRECTIONS[opts.correction]} within each family "
                f"({md_escape(comp.family)}); raw p next to adjusted. \\* = adjusted {opts.marking_test.title} p ≤ "
                f"{opts.alpha:g}; {md_escape(DAGGER_NOTE)}.", ""]
        for pair in comp.pairs:
            a, b = pair
            out += [f"### {md_escape(a)} vs {md_escape(b)}", ""]
            if pair in forest_files:
                out += [f"![forest plot {md_escape(a)} vs {md_escape(b)}]({forest_files[pair]})", ""]
            body = []
            for r in comp.rows:
                if (r["group_a"], r["group_b"]) != pair:
                    continue
                g = md_escape(refused(r, "hedges_g", reasons)) if r["hedges_g"] is None else f"{r['hedges_g']:+.2f}"
                aso = md_escape(refused(r, "aso", reasons)) if r["aso_verdict"] is None else md_escape(r["aso_verdict"])
                body.append([md_escape(r["perturbation"]), r["lang"], f"{r['k_a']}/{r['k_b']}", fmt_pts(r["diff"]),
                             fmt_ci(r["diff_ci_low"], r["diff_ci_high"]), *map(md_escape, p_cells(r, reasons)),
                             g, aso, md_escape(mark(r))])
            out += [table(["perturbation", "lang", "k A/B", "diff (pts)", "CI", *p_headers(), "Hedges g", "ASO", ""],
                          body, left=2), ""]
        out += [f"{i}. {md_escape(r)}" for i, r in enumerate(reasons, 1)] + [""]

    if attacks:
        from robustx.report.attacks import HEAD

        out += ["## Attacks", "", "Accuracy under attack counts examples wrong when clean as lost (skipped); success % "
                "is over the examples attacked; words modified and queries are over successes. Means over the "
                "group's checkpoints and the attack seeds.", "",
                table([md_escape(h) for h in HEAD], [[md_escape(c) for c in row] for row in attacks["table"]], left=3),
                "", f"![robustness curve]({plot_files['robustness']})", "", "### Adversarial examples", "",
                table(["lang", "script", "attack", "field", "original", "adversarial", "prediction"],
                      [[x.lang, x.script, md_escape(x.attack), x.field, md_escape(x.original), md_escape(x.adversarial),
                        md_escape(f"{x.clean_pred} → {x.pred}")] for x in attacks["examples"]], left=7), ""]

    out += ["## Perturbed examples", "", "Replaced text ~~struck out~~ in the original, new text **bold** in the "
            "perturbed version; ‸ marks an insertion or deletion point.", ""]
    for lang, views in examples.items():
        out += [f"### {lang}", ""] + ([example_md(v) for v in views] or ["(no edited examples found)"]) + [""]

    out += ["## Reproducibility", "",
            table(["what", "value"], [
                ["robustx (run / report)", f"{repro['robustx_version_run']} / {repro['robustx_version_report']}"],
                ["git commit", f"`{repro['git_commit']}`"],
                ["python", repro["python"]],
                ["packages", ", ".join(f"{k} {v}" for k, v in repro["packages"].items() if v)],
                ["study file", (f"{md_escape(repro['study_file'])} (sha256 `{repro['study_file_sha256']}`)"
                                if repro["study_file"] else "—")
                 + (" **changed since the run**" if repro["study_file_changed"] else "")],
                ["study.json sha256", f"`{repro['study_json_sha256']}`"],
                ["summary.json sha256", f"`{repro['summary_json_sha256']}`"],
                ["perturbation seeds", ", ".join(map(str, repro["perturbation_seeds"]))],
                ["data", md_escape(", ".join(f"{k}={v}" for k, v in repro["data"].items() if v not in (None, "")))],
            ], left=2), "",
            table(["lang", "data source", "sha256"],
                  [[d["lang"], md_escape(d["source"]), f"`{d['sha256']}`" if d["sha256"] else "—"]
                   for d in repro["data_files"]], left=3), "",
            table(["checkpoint", "group", "seed", "path", "fingerprint"],
                  [[md_escape(c["name"]), md_escape(c["group"]), c["seed"], f"`{c['path']}`",
                    f"`{c['fingerprint']}`" if c["fingerprint"] else md_escape(c["fingerprint_kind"])]
                   for c in repro["checkpoints"]], left=5), ""]
    if repro.get("dev_baselines"):
        out += ["Checkpoints on their dev sets, beside a simple baseline:", "",
                table(["checkpoint", "dev data", "metric", "score %", "baseline", "baseline %"],
                      [[md_escape(d["checkpoint"]), md_escape(d["data"]), d["metric"], _pct(d["score"]),
                        md_escape(d["baseline"]), _pct(d["baseline_score"])] for d in repro["dev_baselines"]],
                      left=3), ""]
    return "\n".join(out)

