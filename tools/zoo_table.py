"""Markdown table of a checkpoint population: training cost, English dev accuracy and, given a
finished run of the population, clean (zero-shot) accuracy per language.

Usage: ``python tools/zoo_table.py [ZOO_DIR] [--run RUN_DIR]``
(ZOO_DIR defaults to ``~/.cache/robustx/zoo``; it is what benchmarks/RESULTS.md quotes.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path


def checkpoints(zoo: Path) -> list[dict]:
    metas = [{**json.loads(p.read_text(encoding="utf-8")), "dir": str(p.parent.resolve())}
             for p in sorted(zoo.glob("*/seed*/robustx.json"))]
    if not metas:
        sys.exit(f"zoo_table: no */seed*/robustx.json under {zoo}")
    return sorted(metas, key=lambda m: (m["target"], len(m["intermediate"]), m["group"], m["seed"]))


def clean_by_checkpoint(run: Path) -> tuple[list[str], dict[str, dict[str, float]]]:
    """Languages, and clean accuracy per language keyed by checkpoint directory."""
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    study = json.loads((run / "study.json").read_text(encoding="utf-8"))
    where = {c["name"]: str(Path(c["path"]).expanduser().resolve()) for c in study["checkpoints"]}
    table: dict[str, dict[str, float]] = {}
    for row in summary["clean"]:
        table.setdefault(where[row["checkpoint"]], {})[row["lang"]] = row["clean_accuracy"]
    return summary["languages"], table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("zoo", nargs="?", default="~/.cache/robustx/zoo")
    parser.add_argument("--run", help="a finished robustx run over (part of) the zoo")
    args = parser.parse_args()
    metas = checkpoints(Path(args.zoo).expanduser())
    langs, clean = clean_by_checkpoint(Path(args.run)) if args.run else ([], {})
    head = ["checkpoint", "intermediate", "train s", "s/step (inter. / target)", "en dev", "majority"]
    head += langs + (["zero-shot mean"] if langs else [])
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    total = 0.0
    for m in metas:
        t = m["throughput"]
        secs = sum(phase["seconds"] for phase in t.values())
        total += secs
        steps = " / ".join(f"{t[p]['s_per_step']:.3g}" for p in ("intermediate", "target") if p in t)
        cells = [m["name"], "+".join(m["intermediate_data"]) or "none", f"{secs:.0f}", steps,
                 f"{100 * m['dev']['accuracy']:.1f}", f"{100 * m['dev']['majority_accuracy']:.1f}"]
        accs = clean.get(m["dir"], {})
        if langs:
            cells += [f"{100 * accs[lang]:.1f}" if lang in accs else "" for lang in langs]
            other = [accs[lang] for lang in langs if lang in accs and lang != "en"]
            cells.append(f"{100 * statistics.fmean(other):.1f}" if other else "")
        print("| " + " | ".join(cells) + " |")
    print(f"\n{len(metas)} checkpoints, {total:.0f} s of training in total")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
