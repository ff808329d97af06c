"""The report's attack section: accuracy under attack per group and language with TextAttack's
figures, the robustness curve, and adversarial examples (docs/attacks.md).

Everything comes from ``summary.json``'s ``attacks`` rows and the attack shards it lists;
seconds per example from ``timings.json`` (not reproducible, so not in the summary).
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Sequence

from robustx.report.tidy import RunData, _read_all
from robustx.runner import layout
from robustx.text import LANGUAGES

HEAD = ("attack", "group", "lang", "clean %", "under attack %", "success %", "words modified %", "queries / success",
        "s / example")
# The budgets (largest fraction of words modified) at which the robustness curve is read.
BUDGETS = tuple(round(0.05 * i, 2) for i in range(0, 21))


def _mean(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return statistics.fmean(kept) if kept else None


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}"


def attack_table(run: RunData) -> list[list[str]]:
    """Rows of ``HEAD``: one per attack × group × language, means over checkpoints and attack seeds."""
    timings = _timings(run)
    buckets: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for row in run.summary.get("attacks", []):
        buckets[row["attack"], row["group"], row["lang"]].append(row)
    seconds = defaultdict(list)
    for (ckpt, lang, cond), path in run.prediction_files.items():
        name = cond.rsplit("@", 1)[0]
        if name in run.attacks:
            group = next((c["group"] for c in run.checkpoints if c["name"] == ckpt), "")
            seconds[name, group, lang].append(timings.get(path.relative_to(run.root).as_posix()))
    out = []
    for (attack, group, lang), rows in buckets.items():
        per_example = _mean(seconds.get((attack, group, lang), []))
        queries = _mean([r["queries_per_success"] for r in rows])
        out.append([attack, group, lang, _pct(_mean([r["clean_accuracy"] for r in rows])),
                    _pct(_mean([r["accuracy_under_attack"] for r in rows])), _pct(_mean([r["success_rate"] for r in rows])),
                    _pct(_mean([r["words_modified"] for r in rows])), "—" if queries is None else f"{queries:.1f}",
                    "—" if per_example is None else f"{per_example:.2f}"])
    return out


def _timings(run: RunData) -> dict[str, float]:
    try:
        return json.loads((run.root / layout.TIMINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _records(run: RunData) -> dict[tuple[str, str, str], list[dict]]:
    """Attack records by (checkpoint, language, attack@seed)."""
    return {key: _read_all(path) for key, path in run.prediction_files.items()
            if key[2].rsplit("@", 1)[0] in run.attacks}


def robustness_curves(run: RunData) -> dict[str, dict[str, list[float]]]:
    """Per attack and group, accuracy under attack at each of ``BUDGETS``, read from one search run: an
    example that fell with ``budget`` b of its words modified has fallen at every budget ≥ b. Means over
    checkpoints, languages and attack seeds."""
    groups = {c["name"]: c["group"] for c in run.checkpoints}
    points: dict[tuple[str, str], list[list[float]]] = defaultdict(list)
    for (ckpt, _, cond), records in _records(run).items():
        right = [r for r in records if r["clean_pred"] == r["gold"]]
        curve = [sum(1 for r in right if r["budget"] is None or r["budget"] > b + 1e-9) / len(records)
                 for b in BUDGETS]
        points[cond.rsplit("@", 1)[0], groups.get(ckpt, "")].append(curve)
    curves: dict[str, dict[str, list[float]]] = defaultdict(dict)
    for (attack, group), rows in points.items():
        curves[attack][group] = [statistics.fmean(col) for col in zip(*rows)]
    return dict(curves)


@dataclass(frozen=True)
class Adversarial:
    lang: str
    script: str
    attack: str
    field: str
    original: str
    adversarial: str
    clean_pred: str
    pred: str


def adversarial_examples(run: RunData, per_script: int = 2) -> list[Adversarial]:
    """Successful adversarial examples, up to ``per_script`` per script of the languages attacked, fewest
    words modified first, for a reader to check by eye."""
    by_script: dict[str, list[Adversarial]] = defaultdict(list)
    originals = {}
    for (ckpt, lang, cond), records in sorted(_records(run).items()):
        script = LANGUAGES[lang].scripts[0] if lang in LANGUAGES else lang
        if len(by_script[script]) >= per_script:
            continue
        won = sorted((r for r in records if r["status"] == "success"), key=lambda r: (r["modified"], r["id"]))
        for r in won[: per_script - len(by_script[script])]:
            for field, text in r["fields"].items():
                originals.setdefault((lang, r["id"]), _original(r, field, text))
                by_script[script].append(Adversarial(lang, script, cond.rsplit("@", 1)[0], field,
                                                     _original(r, field, text), text, r["clean_pred"], r["pred"]))
    return [ex for exs in by_script.values() for ex in exs]


def _original(record: dict, field: str, text: str) -> str:
    """The original text of a field, undone from the record's edits (they hold what they replaced)."""
    edits = sorted((e for e in record["edits"] if e["field"] == field), key=lambda e: (e["start"], e["end"]))
    out, pos, shift = [], 0, 0
    for e in edits:
        start = e["start"] + shift
        out.append(text[pos:start])
        out.append(e["before"])
        pos = start + len(e["after"])
        shift += len(e["after"]) - (e["end"] - e["start"])
    out.append(text[pos:])
    return "".join(out)


def attack_summary(run: RunData) -> dict[str, Any] | None:
    """What the report shows of attacks, or None for a run without any."""
    if not run.attacks:
        return None
    return {"table": attack_table(run), "curves": robustness_curves(run), "examples": adversarial_examples(run)}
