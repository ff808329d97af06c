"""One self-contained ``report.html``: inline CSS, plots as inline SVG, no external resources.

Sections: design warnings and withheld tests, drop per language (plot + tables per
group), language × perturbation heat map, group comparison (forest plots + tables with
raw and adjusted p-values), perturbed examples with their edits highlighted
(``<del>``/``<ins>`` in the original and perturbed text, ``<mark>`` around each edit in
the inline diff), and a reproducibility block. A few lines of inline script record in
``<body data-plots-rendered=N data-plots-expected=M>`` how many plots the browser laid
out with a non-empty box, the page height, and in ``<html data-errors=N>`` any script or
resource-loading errors (read by ``benchmarks/check_report_html.py``); the page reads the
same without script.
"""

from __future__ import annotations

import json
import unicodedata
from html import escape
from string import Template
from typing import Any, Mapping, Sequence

from robustx.report.compare import (CORRECTIONS, DAGGER_NOTE, Comparison, fmt_ci, fmt_pts, mark, p_cells, p_headers,
                                    refused)
from robustx.report.tidy import ExampleView, Segment

CSS = """
:root{--fg:#1b1f24;--muted:#5c6670;--line:#d8dee4;--warn:#fff6d6;--warnb:#e3b341;--del:#ffd7d5;--ins:#ccf2d4;--mark:#fff1a8}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);margin:0;background:#fff}
main{max-width:1180px;margin:0 auto;padding:24px 28px 64px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:36px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:22px 0 6px}
.meta,.note,figcaption{color:var(--muted);font-size:13px}
nav a{margin-right:14px;color:#0a58ca;text-decoration:none}
table{border-collapse:collapse;margin:8px 0 14px;font-size:13px;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid var(--line);padding:3px 9px;text-align:right;vertical-align:top}
th{background:#f3f5f7;font-weight:600}
td.l,th.l{text-align:left}
tr.sig td{background:#f0f7ff}
.warn{background:var(--warn);border-left:4px solid var(--warnb);padding:8px 14px;margin:8px 0}
.warn li{margin:3px 0}
figure{margin:10px 0 18px}
svg.plot{max-width:100%;height:auto;display:block}
.example{border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:8px 0}
.example .hd{color:var(--muted);font-size:12px;margin-bottom:4px}
.example table{margin:2px 0;width:100%}
.example td{text-align:left;border:0;padding:2px 6px}
.example td.k{width:92px;color:var(--muted);white-space:nowrap}
del{background:var(--del);text-decoration:line-through;text-decoration-color:#c0392b}
ins{background:var(--ins);text-decoration:none}
mark{background:var(--mark);padding:0 1px;border-radius:2px}
.cp{font-family:ui-monospace,monospace;font-size:11px}
.gap{color:#c0392b;font-weight:700}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
pre{background:#f6f8fa;padding:10px;overflow:auto;max-height:420px}
.sig-mark{font-weight:700;color:#0a58ca}
"""

PAGE = Template("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="generator" content="robustx $version">
<title>$title</title>
<script>window.addEventListener("error",function(){var d=document.documentElement;
d.setAttribute("data-errors",String((+d.getAttribute("data-errors")||0)+1));},true);</script>
<style>$css</style></head>
<body data-plots-expected="$n_plots">
<main>
<h1>$title</h1>
<p class="meta">$meta</p>
<nav><a href="#design">Design</a><a href="#drop">Drop per language</a><a href="#heatmap">Heat map</a><a href="#compare">Group comparison</a><a href="#examples">Examples</a><a href="#repro">Reproducibility</a></nav>
$sections
</main>
<script>
(function(){var n=0,plots=document.querySelectorAll("svg.plot,img.plot");
plots.forEach(function(p){var r=p.getBoundingClientRect();
var drawn=p.tagName.toLowerCase()==="img"?(p.complete&&p.naturalWidth>0):p.querySelectorAll("path,use,text").length>0;
if(r.width>0&&r.height>0&&drawn)n++;});
document.body.setAttribute("data-plots-rendered",String(n));
document.body.setAttribute("data-page-height",String(document.documentElement.scrollHeight));})();
</script>
</body></html>
""")


def _e(x: Any) -> str:
    return escape("" if x is None else str(x))


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1, classes: Sequence[str] = ()) -> str:
    """HTML table; cells are already-escaped HTML; the first ``left`` columns align left."""
    th = "".join(f'<th class="l">{h}</th>' if i < left else f"<th>{h}</th>" for i, h in enumerate(head))
    body = []
    for j, row in enumerate(rows):
        cls = f' class="{classes[j]}"' if j < len(classes) and classes[j] else ""
        body.append(f"<tr{cls}>" + "".join(f'<td class="l">{c}</td>' if i < left else f"<td>{c}</td>"
                                          for i, c in enumerate(row)) + "</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _pct(x: float | None, sd: float | None = None) -> str:
    if x is None:
        return "—"
    return f"{100 * x:.1f}" + (f" ± {100 * sd:.1f}" if sd is not None else "")


# -- edits ---------------------------------------------------------------------------------

_INVISIBLE = {"Cf", "Cc", "Co", "Cn", "Zl", "Zp"}


def _visible(text: str) -> str:
    """Escaped text with invisible and unusual space characters shown as code points."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in _INVISIBLE or (cat == "Zs" and ch != " "):
            out.append(f'<span class="cp">⟨U+{ord(ch):04X}⟩</span>')
        else:
            out.append(escape(ch))
    return "".join(out)


def _codepoints(text: str) -> str:
    return " ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in text[:12])


def _segments_html(segments: Sequence[Segment], side: str) -> str:
    """``side`` = "original" (edits as <del>), "perturbed" (<ins>) or "diff" (<mark><del/><ins/></mark>)."""
    out = []
    for s in segments:
        if not s.changed:
            out.append(_visible(s.before))
            continue
        title = escape(f"{s.op}: {_codepoints(s.before)} → {_codepoints(s.after)}", quote=True)
        if side == "original":
            out.append(f'<del title="{title}">{_visible(s.before)}</del>' if s.before
                       else f'<span class="gap" title="{title}">‸</span>')
        elif side == "perturbed":
            out.append(f'<ins title="{title}">{_visible(s.after)}</ins>' if s.after
                       else f'<span class="gap" title="{title}">‸</span>')
        else:
            del_ = f"<del>{_visible(s.before)}</del>" if s.before else ""
            ins = f"<ins>{_visible(s.after)}</ins>" if s.after else ""
            out.append(f'<mark title="{title}">{del_}{ins}</mark>')
    return "".join(out)


def example_html(ex: ExampleView) -> str:
    flips = (f"fooled {ex.flipped} of {ex.checkpoints} checkpoints" if ex.checkpoints else "no predictions")
    head = (f'<div class="hd"><b>{_e(ex.perturbation)}</b> · seed {ex.seed} · <code>{_e(ex.id)}</code> · '
            f"gold {_e(ex.gold)} · {ex.changed}/{ex.units} units edited · {flips}</div>")
    rows = []
    for name, segs in ex.fields.items():
        if not any(s.changed for s in segs):
            rows.append(f'<tr><td class="k">{_e(name)}</td><td>{_segments_html(segs, "original")}</td></tr>')
            continue
        rows.append(f'<tr><td class="k">{_e(name)} · original</td><td>{_segments_html(segs, "original")}</td></tr>')
        rows.append(f'<tr><td class="k">{_e(name)} · perturbed</td><td>{_segments_html(segs, "perturbed")}</td></tr>')
        rows.append(f'<tr><td class="k">{_e(name)} · edits</td><td>{_segments_html(segs, "diff")}</td></tr>')
    return f'<div class="example">{head}<table>{"".join(rows)}</table></div>'


# -- sections ---------------------------------------------------------------------------------

def _design_section(comp: Comparison, table_notes: Sequence[str]) -> str:
    items = [f"<li>{_e(w)}</li>" for w in comp.warnings]
    refusals = [f"<li>{_e(r)}</li>" for r in comp.refusals]
    parts = ['<section id="design"><h2>Design</h2>']
    sizes = ", ".join(f"{_e(g)}: {len(c)}" for g, c in comp.groups.items())
    parts.append(f'<p class="note">Checkpoints (fine-tuning seeds) per group by <code>{_e(comp.options.by)}</code>: '
                 f"{sizes}.</p>")
    if items:
        parts.append(f'<div class="warn"><b>Warnings</b><ul>{"".join(items)}</ul></div>')
    else:
        parts.append('<p class="note">No design warnings.</p>')
    if refusals:
        parts.append('<div class="warn"><b>Tests the design cannot support — their p-values are withheld</b>'
                     f'<ul>{"".join(refusals)}</ul></div>')
    if table_notes:
        parts.append('<details><summary>File notes</summary><ul>' + "".join(f"<li>{_e(n)}</li>" for n in table_notes)
                     + "</ul></details>")
    parts.append("</section>")
    return "".join(parts)


def _drop_section(comp: Comparison, langs: Sequence[str], perts: Sequence[str], svg: str, level: float,
                  metric: str, baseline: Mapping[str, Any] | None) -> str:
    parts = ['<section id="drop"><h2>Drop per language</h2>',
             f'<figure>{svg}<figcaption>Mean drop (clean − perturbed {_e(metric)}, points, paired on the same '
             f"examples) per group, with {int(level * 100)}% CI: hierarchical bootstrap over the group's "
             "checkpoints and then examples (one checkpoint: paired bootstrap over examples).</figcaption></figure>"]
    head, body = drop_tables(comp, langs, perts, level, metric, baseline)
    for title, (h, rows) in zip(head, body):
        parts.append(f"<h3>{_e(title)}</h3>")
        parts.append(_table([_e(x) for x in h], [[_e(c) for c in row] for row in rows]))
    parts.append('<p class="note">± is the sample sd over the group\'s checkpoints (fine-tuning seeds).</p></section>')
    return "".join(parts)


def drop_tables(comp: Comparison, langs: Sequence[str], perts: Sequence[str], level: float, metric: str,
                baseline: Mapping[str, Any] | None = None):
    """(titles, [(header, rows)]) of the clean-score table (with the summary's ``baseline`` on the
    same data, where the task has one) and one drop table per perturbation (plain text)."""
    index = {(r["group"], r["lang"], r["perturbation"]): r for r in comp.group_rows}
    groups = list(comp.groups)
    k = {g: max((r["k"] for r in comp.group_rows if r["group"] == g), default=0) for g in groups}
    titles = [f"Clean {metric} % (mean ± sd over checkpoints)"]
    tables = []
    rows = []
    for lang in langs:
        cells = []
        for g in groups:
            r = next((index[g, lang, p] for p in perts if (g, lang, p) in index), None)
            cells.append(_pct(r["clean_mean"], r["clean_sd"]) if r else "—")
        if baseline:
            cells.append(_pct(baseline["scores"].get(lang)))
        rows.append([lang, *cells])
    extra = [f"baseline: {baseline['name']}"] if baseline else []
    tables.append((["lang", *[f"{g} (k={k[g]})" for g in groups], *extra], rows))
    for pert in perts:
        titles.append(f"{pert}: drop in points, mean ± sd [{int(level * 100)}% CI]")
        rows = []
        for lang in langs:
            cells, rate = [], None
            for g in groups:
                r = index.get((g, lang, pert))
                if r is None:
                    cells.append("—")
                    continue
                ci = fmt_ci(r["drop_ci_low"], r["drop_ci_high"])
                cells.append(f"{_pct(r['drop_mean'], r['drop_sd'])} {ci if ci != '—' else ''}".strip())
                rate = r["achieved_rate_mean"] if rate is None else rate
            rows.append([lang, *cells, _pct(rate)])
        tables.append((["lang", *[f"{g} (k={k[g]})" for g in groups], "units edited %"], rows))
    return titles, tables


def _compare_section(comp: Comparison, forests: dict[tuple[str, str], str]) -> str:
    opts = comp.options
    parts = ['<section id="compare"><h2>Group comparison</h2>']
    if not comp.rows:
        parts.append('<p class="note">No comparison: the run has fewer than two groups by '
                     f"<code>{_e(opts.by)}</code> (see Design).</p></section>")
        return "".join(parts)
    parts.append(
        f'<p class="note">diff = mean drop of A − mean drop of B (points; &lt; 0: A more robust), with its '
        f"{int(opts.level * 100)}% hierarchical-bootstrap CI (checkpoints, then examples). Seed-level tests "
        f"are two-sided; p-values are adjusted by {_e(CORRECTIONS[opts.correction])} within each family "
        f"({_e(comp.family)}); the raw p is shown next to the adjusted one. "
        f'<span class="sig-mark">*</span> marks adjusted {_e(opts.marking_test.title)} p ≤ {opts.alpha:g}; '
        f"{_e(DAGGER_NOTE)}. "
        f"ASO: eps_min (Bonferroni over the family) that A / B is more robust; "
        f"“more robust” when &lt; {opts.aso_threshold:g}.</p>")
    reasons = comp.refusal_reasons()
    for pair in comp.pairs:
        a, b = pair
        parts.append(f"<h3>{_e(a)} vs {_e(b)}</h3>")
        if pair in forests:
            parts.append(f"<figure>{forests[pair]}<figcaption>Forest plot: filled square = significant after "
                         "correction, hollow = not significant, grey × = p-value withheld by the design."
                         "</figcaption></figure>")
        rows = [r for r in comp.rows if (r["group_a"], r["group_b"]) == pair]
        body, classes = [], []
        for r in rows:
            g = (_e(refused(r, "hedges_g", reasons)) if r["hedges_g"] is None
                 else f"{r['hedges_g']:+.2f} {fmt_ci_plain(r['hedges_g_ci_low'], r['hedges_g_ci_high'])}")
            aso = (_e(refused(r, "aso", reasons)) if r["aso_a_more_robust"] is None
                   else f"{r['aso_a_more_robust']:.2f} / {r['aso_b_more_robust']:.2f} ({_e(r['aso_verdict'])})")
            sig = f'<span class="sig-mark">{_e(mark(r))}</span>' if r.get("significant") else ""
            ci = (fmt_ci(r["diff_ci_low"], r["diff_ci_high"]) if r["diff_ci_low"] is not None
                  else _e(refused(r, "hierarchical", reasons)))
            body.append([_e(r["perturbation"]), _e(r["lang"]), f"{r['k_a']}/{r['k_b']}", fmt_pts(r["diff"]), ci,
                         *map(_e, p_cells(r, reasons)), g, aso, sig])
            classes.append("sig" if r.get("significant") else "")
        parts.append(_table(["perturbation", "lang", "k A/B", "diff (pts)", "CI", *p_headers(), "Hedges g [nct CI]",
                             "ASO A / B", ""], body, left=2, classes=classes))
    if reasons:
        parts.append('<ol class="note">' + "".join(f"<li>{_e(r)}</li>" for r in reasons) + "</ol>")
    parts.append("</section>")
    return "".join(parts)


def fmt_ci_plain(lo: float | None, hi: float | None) -> str:
    return "" if lo is None or hi is None else f"[{lo:+.2f}, {hi:+.2f}]"


def _examples_section(examples: dict[str, list[ExampleView]]) -> str:
    parts = ['<section id="examples"><h2>Perturbed examples</h2>',
             '<p class="note">Original with the replaced text <del>struck out</del>, perturbed with the new text '
             '<ins>highlighted</ins>, and each edit <mark>marked</mark> in place (hover for code points); '
             "‸ marks an insertion or deletion point; invisible characters are shown as ⟨U+XXXX⟩. Examples that "
             "fooled the most checkpoints come first.</p>"]
    for lang, views in examples.items():
        parts.append(f'<h3 id="ex-{_e(lang)}">{_e(lang)}</h3>')
        if not views:
            parts.append('<p class="note">No edited examples found (perturbed files missing or no edits).</p>')
        parts.extend(example_html(v) for v in views)
    parts.append("</section>")
    return "".join(parts)


def _attack_section(attacks: dict[str, Any], svg: str) -> str:
    from robustx.report.attacks import HEAD

    parts = ['<section id="attacks"><h2>Attacks</h2>',
             '<p class="note">Accuracy under attack counts examples wrong when clean as lost (skipped); success % '
             "is over the examples attacked; words modified and queries are over successes (one query = one "
             "distinct model input). Means over the group's checkpoints and the attack seeds. Drops and group "
             "comparisons of accuracy under attack are in the tables above, beside the perturbations.</p>",
             _table([_e(h) for h in HEAD], [[_e(c) for c in row] for row in attacks["table"]], left=3),
             f'<figure>{svg}<figcaption>Robustness curve: accuracy under attack as the budget (largest share of '
             "words modified) grows, read from the budgets at which examples fell in one search.</figcaption></figure>",
             "<h3>Adversarial examples</h3>",
             _table(["lang", "script", "attack", "field", "original", "adversarial", "prediction"],
                    [[_e(x.lang), _e(x.script), _e(x.attack), _e(x.field), _e(x.original), _e(x.adversarial),
                      _e(f"{x.clean_pred} → {x.pred}")] for x in attacks["examples"]], left=7),
             "</section>"]
    return "".join(parts)


def _repro_section(repro: dict[str, Any]) -> str:
    kv = [
        ("robustx (run / report)", f"{_e(repro['robustx_version_run'])} / {_e(repro['robustx_version_report'])}"),
        ("git commit", f"<code>{_e(repro['git_commit'])}</code>"),
        ("python · platform", f"{_e(repro['python'])} · {_e(repro['platform'])}"),
        ("packages", ", ".join(f"{_e(k)} {_e(v)}" for k, v in repro["packages"].items() if v)),
        ("study", f"{_e(repro['study'])} ({_e(repro['task'])})"),
        ("study file", f"{_e(repro['study_file'] or '—')} · sha256 <code>{_e(repro['study_file_sha256'] or '—')}</code>"
         + (" · <b>changed since the run</b>" if repro["study_file_changed"] else "")),
        ("study.json · summary.json sha256", f"<code>{_e(repro['study_json_sha256'])}</code> · "
                                             f"<code>{_e(repro['summary_json_sha256'])}</code>"),
        ("perturbation seeds", _e(", ".join(map(str, repro["perturbation_seeds"])))),
        ("data", _e(", ".join(f"{k}={v}" for k, v in repro["data"].items() if v not in (None, "")))),
        ("run directory", f"<code>{_e(repro['run_dir'])}</code>"),
    ]
    parts = ['<section id="repro"><h2>Reproducibility</h2>',
             _table(["what", "value"], [[_e(k), v] for k, v in kv], left=2)]
    parts.append("<h3>Data files</h3>")
    parts.append(_table(["lang", "source", "sha256", "skipped rows"],
                        [[_e(d["lang"]), _e(d["source"]), f"<code>{_e(d['sha256'] or '—')}</code>",
                          _e(d["skipped_rows"])]
                         for d in repro["data_files"]], left=3))
    parts.append("<h3>Checkpoints</h3>")
    parts.append(_table(["name", "group", "seed", "intermediate", "path", "fingerprint", "dev acc."],
                        [[_e(c["name"]), _e(c["group"]), _e(c["seed"]), _e(c["intermediate"]),
                          f"<code>{_e(c['path'])}</code>",
                          f'<code title="{_e(c["fingerprint_kind"])}">{_e(c["fingerprint"] or "—")}</code>',
                          _pct(c["dev_accuracy"])] for c in repro["checkpoints"]], left=6))
    if repro.get("dev_baselines"):
        parts.append("<h3>Checkpoints on their dev sets, beside a simple baseline</h3>")
        parts.append(_table(["checkpoint", "dev data", "metric", "score", "baseline", "baseline score"],
                            [[_e(d["checkpoint"]), _e(d["data"]), _e(d["metric"]), _pct(d["score"]), _e(d["baseline"]),
                              _pct(d["baseline_score"])] for d in repro["dev_baselines"]], left=3))
    parts.append("<details><summary>All of it as JSON</summary><pre>"
                 + escape(json.dumps(repro, indent=2, ensure_ascii=False, default=str)) + "</pre></details></section>")
    return "".join(parts)


def render_html(*, run, comp: Comparison, plots: dict[str, str], forests: dict[tuple[str, str], str],
                examples: dict[str, list[ExampleView]], repro: dict[str, Any], table_notes: Sequence[str] = (),
                generated: str = "", attacks: dict[str, Any] | None = None) -> str:
    """The whole page as one string."""
    from robustx import __version__

    summary = run.summary
    title = f"robustx report · {summary.get('study') or run.study.get('name', '')}"
    meta = (f"{_e(run.task)} · {_e(summary.get('metric', 'accuracy'))} · {len(run.checkpoints)} checkpoints in "
            f"{len(comp.groups)} group{'s' * (len(comp.groups) != 1)} · {len(run.languages)} languages · "
            f"{len(run.perturbations)} perturbations · {len(run.perturbation_seeds)} perturbation seed"
            f"{'s' * (len(run.perturbation_seeds) != 1)}" + (f" · generated {_e(generated)}" if generated else ""))
    level = comp.options.level
    sections = [
        _design_section(comp, table_notes),
        _drop_section(comp, run.languages, run.perturbations, plots.get("drop", ""), level, run.scorer.label,
                      run.summary.get("baseline")),
        '<section id="heatmap"><h2>Language × perturbation heat map</h2>'
        f'<figure>{plots.get("heatmap", "")}<figcaption>Mean drop in points per group (red: {_e(run.scorer.label)} lost; '
        "blue: gained).</figcaption></figure></section>",
        _compare_section(comp, forests),
        *([_attack_section(attacks, plots.get("robustness", ""))] if attacks else []),
        _examples_section(examples),
        _repro_section(repro),
    ]
    n_plots = sum(bool(v) for v in plots.values()) + len(forests)
    return PAGE.substitute(version=_e(__version__), title=_e(title), css=CSS, meta=meta,
                           sections="\n".join(sections), n_plots=n_plots)
