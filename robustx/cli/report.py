"""``robustx report RUN_DIR`` writes a run's report; ``robustx compare RUN_DIR`` only prints its group comparisons.

``report`` reads a finished run directory and writes into ``RUN_DIR/report/`` (or
``--output``): ``results.csv``/``.parquet`` (one row per checkpoint × language ×
perturbation × perturbation seed), ``groups.csv`` (per group × language × perturbation),
``comparisons.csv``/``.parquet`` (per pair of groups × language × perturbation, raw and
adjusted p-values), ``plots/*.svg``, ``report.md`` and a self-contained ``report.html``;
it prints the per-group summary tables and the group comparisons.

``compare`` computes the same group comparisons, with the same options and numbers as
``comparisons.csv``, prints them and writes nothing: trying another ``--by``,
``--family``, ``--correction`` or ``--test`` never overwrites a report, and needs no plots
or checkpoint hashing. A run with fewer than two groups has nothing to compare (an error).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from robustx.errors import RobustxError


@dataclass
class ReportFiles:
    out: Path
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _write(path: Path, text: str) -> None:
    """Atomic write, readable by others (the report is meant to be shared)."""
    import os

    from robustx.runner.store import write_atomic

    write_atomic(path, text)
    os.chmod(path, 0o644)


def _slug(text: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "-" for c in text)
    return keep.strip("-") or "x"


def build_report(run_dir: str | Path, out: str | Path | None = None, *, options=None, examples: int = 3,
                 fingerprints: bool = True):
    """Write every report file for ``run_dir``; returns (ReportFiles, RunData, Comparison)."""
    import datetime

    from robustx.report import html, markdown, plots
    from robustx.report.attacks import BUDGETS, attack_summary
    from robustx.report.compare import CompareOptions, columns, compare_run, table_rows
    from robustx.report.tidy import COLUMNS, load_run, pick_examples, reproducibility, tidy_rows, write_table
    from robustx.runner import layout

    run = load_run(run_dir)
    opts = options or CompareOptions()
    out = Path(out) if out else run.root / layout.REPORT
    result = ReportFiles(out)
    comp = compare_run(run, opts)

    tidy = tidy_rows(run)
    result.notes += write_table(tidy, out / "results", COLUMNS)
    result.files += [out / "results.csv", out / "results.parquet"]
    write_table(comp.group_rows, out / "groups", list(comp.group_rows[0]) if comp.group_rows else ["group"])
    result.files.append(out / "groups.csv")
    if comp.rows:
        write_table(table_rows(comp), out / "comparisons", columns())
        result.files += [out / "comparisons.csv", out / "comparisons.parquet"]
    result.files = [f for f in result.files if f.exists()]

    groups = list(comp.groups)
    svgs = {
        "drop": plots.drop_by_language(comp.group_rows, run.languages, run.perturbations, groups, opts.level),
        "heatmap": plots.heatmap(comp.group_rows, run.languages, run.perturbations, groups),
    }
    attacks = attack_summary(run)
    if attacks:
        svgs["robustness"] = plots.robustness_curve(attacks["curves"], BUDGETS)
    forests = {pair: plots.forest(comp.rows, pair, run.perturbations, run.languages, opts.marking_test, opts.alpha,
                                  opts.level)
               for pair in comp.pairs}
    plot_dir = out / "plots"
    plot_files: dict[str, str] = {}
    for name, svg in svgs.items():
        path = plot_dir / f"{name}.svg"
        _write(path, svg)
        plot_files[name] = f"plots/{path.name}"
        result.files.append(path)
    forest_files = {}
    for (a, b), svg in forests.items():
        path = plot_dir / f"forest-{_slug(a)}-vs-{_slug(b)}.svg"
        _write(path, svg)
        forest_files[a, b] = f"plots/{path.name}"
        result.files.append(path)

    chosen = pick_examples(run, examples)
    repro = reproducibility(run, fingerprints=fingerprints)
    generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    common = dict(run=run, comp=comp, examples=chosen, repro=repro, table_notes=result.notes, generated=generated,
                  attacks=attacks)
    _write(out / "report.md", markdown.render_markdown(plot_files=plot_files, forest_files=forest_files, **common))
    _write(out / "report.html", html.render_html(plots=svgs, forests=forests, **common))
    result.files += [out / "report.md", out / "report.html"]
    return result, run, comp


def _options(args: argparse.Namespace):
    from robustx.report.compare import CompareOptions

    return CompareOptions(by=args.by, family=args.family, correction=args.correction, test=args.test,
                          alpha=args.alpha, n_boot=args.n_boot)


def _console():
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else 120)


def cmd_report(args: argparse.Namespace) -> int:
    from robustx.report.compare import render_comparison
    from robustx.report.tables import render_summary

    result, run, comp = build_report(args.run_dir, args.output, options=_options(args), examples=args.examples,
                                     fingerprints=not args.no_fingerprints)
    console = _console()
    render_summary(run.summary, console)
    render_comparison(comp, console)
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    console.print(f"wrote {len(result.files)} files to {result.out}: report.html, report.md, results.csv"
                  + (", results.parquet" if (result.out / "results.parquet").exists() else ""), markup=False)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from robustx.report.compare import compare_run, render_comparison
    from robustx.report.tidy import load_run

    comp = compare_run(load_run(args.run_dir), _options(args))
    if len(comp.groups) < 2:
        raise RobustxError(f"{args.run_dir}: only one group by {args.by!r}; nothing to compare "
                           "(robustx report writes its per-group tables)")
    render_comparison(comp, _console())
    return 0


class _GroupTestNames:
    """The registered group tests' names, looked up only when ``--test`` is checked or help is shown:
    their module imports numpy, which ``robustx --help``, ``list`` and ``validate`` must not."""

    def __iter__(self):
        from robustx.stats.groups import GROUP_TESTS

        return iter(GROUP_TESTS.in_registration_order())

    def __contains__(self, name: object) -> bool:
        return name in list(self)


def _comparison_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_dir", help="a finished run directory (with summary.json)")
    p.add_argument("--by", default="group",
                   help="checkpoint field that defines the groups: group (default), intermediate, or a metadata key")
    p.add_argument("--family", default="lang",
                   help="multiple-comparison family: lang (per pair × perturbation), lang×perturbation "
                        "(also lang-x-perturbation; per pair), or all")
    p.add_argument("--correction", choices=("holm", "bh"), default="holm",
                   help="p-value adjustment: Holm (FWER, default) or Benjamini–Hochberg (FDR)")
    p.add_argument("--test", choices=_GroupTestNames(), metavar="TEST",
                   help="seed-level test whose adjusted p sets the significance marks: %(choices)s "
                        "(default: the first; all are reported)")
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--n-boot", type=int, default=2000, help="bootstrap replicates (default 2000)")


def add_parser(sub) -> None:
    report = sub.add_parser("report", help="write tables, plots, report.md and report.html for a run")
    _comparison_options(report)
    report.add_argument("--output", help="output folder (default RUN_DIR/report)")
    report.add_argument("--examples", type=int, default=3, help="perturbed examples shown per language (default 3)")
    report.add_argument("--no-fingerprints", action="store_true",
                        help="skip hashing checkpoint files for the reproducibility block")
    report.set_defaults(func=cmd_report)
    compare = sub.add_parser("compare", help="print the group comparisons of a run (seed-level tests, corrected); "
                                             "writes nothing")
    _comparison_options(compare)
    compare.set_defaults(func=cmd_compare)
