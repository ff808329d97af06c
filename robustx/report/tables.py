"""Rich terminal tables of a summary: one table per checkpoint group and perturbation."""

from __future__ import annotations

from typing import Any


def _pct(mean: float | None, sd: float | None = None) -> str:
    if mean is None:
        return "-"
    return f"{100 * mean:.1f}" + (f" ± {100 * sd:.1f}" if sd is not None else "")


def _drop(row: dict[str, Any]) -> str:
    ci = row.get("abs_drop_ci95")
    if ci:
        return f"{100 * row['abs_drop_mean']:.1f} [{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"
    return _pct(row["abs_drop_mean"], row["abs_drop_sd"])


def render_summary(summary: dict[str, Any], console) -> None:
    from rich.table import Table

    groups = summary["groups"]
    keys = sorted({(g["group"], g["perturbation"]) for g in groups})
    for group, pert in keys:
        rows = [g for g in groups if g["group"] == group and g["perturbation"] == pert]
        n = rows[0]["checkpoints"]
        title = f"{summary['task']} · group [bold]{group}[/] ({n} checkpoint{'s' * (n != 1)}) · {pert}"
        table = Table(title=title, title_justify="left")
        for col in ("lang", "clean %", "perturbed %", "drop (pts)¹", "rel. drop %", "words edited %"):
            table.add_column(col, justify="left" if col == "lang" else "right", no_wrap=True)
        order = {lang: i for i, lang in enumerate(summary["languages"])}
        for r in sorted(rows, key=lambda r: order[r["lang"]]):
            table.add_row(
                r["lang"],
                _pct(r["clean_accuracy_mean"], r["clean_accuracy_sd"]),
                _pct(r["perturbed_accuracy_mean"], r["perturbed_accuracy_sd"]),
                _drop(r),
                _pct(r["rel_drop_mean"], r["rel_drop_sd"]),
                _pct(r["achieved_rate_mean"]),
            )
        console.print(table)
    if keys:
        console.print("¹ mean ± sd over the group's checkpoints; for one checkpoint, its 95% paired-bootstrap CI")
    if not keys:
        for row in summary["clean"]:
            console.print(f"{row['checkpoint']} {row['lang']}: clean {_pct(row['clean_accuracy'])}")
