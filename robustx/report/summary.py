"""Aggregate per-example predictions into per-language accuracy, drops and group statistics.

Drops are paired: clean and perturbed accuracy are measured on the same examples. A
perturbation's accuracy is averaged over perturbation seeds (each seed also listed);
groups aggregate over their checkpoints' fine-tuning seeds (mean and sample sd).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from robustx import __version__
from robustx.hashing import file_sha256
from robustx.runner.shards import CLEAN, AttackShard, EvalShard

if TYPE_CHECKING:
    from robustx.metrics.records import Scorer
    from robustx.runner.execute import RunState
    from robustx.study.spec import StudySpec


def accuracy(records: Sequence[dict]) -> float:
    return sum(r["correct"] for r in records) / len(records) if records else float("nan")


def mean_sd(values: Sequence[float]) -> tuple[float, float | None]:
    """Mean and sample standard deviation (None for fewer than two values)."""
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else None)


def _checkpoint_rows(study: "StudySpec", scorer: "Scorer", state: "RunState", records: dict) -> list[dict[str, Any]]:
    """One row per checkpoint x language x perturbation or attack, paired over the same examples."""
    import numpy as np

    from robustx.hashing import stable_seed
    from robustx.stats.scored import drop_of, outcomes_of

    rows = []
    seeds = study.perturbation_seeds
    for ckpt in study.checkpoints:
        for lang in study.languages:
            for name, rate in _rates(study, state, ckpt.name, lang, records):
                outcomes = outcomes_of(
                    scorer.binary, scorer.ratio, records[ckpt.name, lang, CLEAN],
                    {s: records[ckpt.name, lang, f"{name}@{s}"] for s in seeds},
                )
                # The bootstrap's own seed is derived from the row, so summaries are reproducible.
                rng = np.random.default_rng(stable_seed("paired-bootstrap", ckpt.name, lang, name))
                d = drop_of(outcomes, rng)
                rows.append({
                    "checkpoint": ckpt.name, "group": ckpt.group, "seed": ckpt.seed,
                    "intermediate": list(ckpt.intermediate), "lang": lang, "perturbation": name,
                    "n": d.n, "clean_accuracy": d.clean_accuracy, "perturbed_accuracy": d.perturbed_accuracy,
                    "perturbed_accuracy_by_seed": {str(s): a for s, a in zip(seeds, d.perturbed_accuracy_by_seed)},
                    "perturbation_seed_sd": d.seed_sd,
                    "abs_drop": d.abs_drop, "abs_drop_ci95": list(d.abs_drop_ci),
                    "rel_drop": d.rel_drop, "rel_drop_ci95": list(d.rel_drop_ci) if d.rel_drop_ci else None,
                    "p_drop": d.p_greater, "test": d.test, "ci_method": d.ci_method,
                    "achieved_rate": rate,
                })
    return rows


def _rates(study: "StudySpec", state: "RunState", ckpt: str, lang: str, records: dict) -> list[tuple[str, float | None]]:
    """Each perturbation and attack of ``lang`` with its achieved rate over all seeds: the share of
    eligible units changed, or of words an attack modified. No eligible unit: undefined, not 0."""
    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    out = []
    for spec in filter(lambda spec: spec.covers(lang), study.perturbations):
        conds = state.conditions[lang]
        edits = [r for s in study.perturbation_seeds for r in state.records[conds[f"{spec.name}@{s}"].input_key]]
        out.append((spec.name, share(sum(r["changed"] for r in edits), sum(r["units"] for r in edits))))
    for spec in filter(lambda spec: spec.covers(lang), study.attacks):
        recs = [r for s in study.perturbation_seeds for r in records[ckpt, lang, f"{spec.name}@{s}"]]
        out.append((spec.name, share(sum(r["modified"] for r in recs), sum(r["words"] for r in recs))))
    return out


def _group_rows(rows: list[dict]) -> list[dict[str, Any]]:
    buckets: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        buckets[row["group"], row["lang"], row["perturbation"]].append(row)
    out = []
    for (group, lang, pert), members in buckets.items():
        entry: dict[str, Any] = {"group": group, "lang": lang, "perturbation": pert, "checkpoints": len(members)}
        for metric in ("clean_accuracy", "perturbed_accuracy", "abs_drop", "achieved_rate"):
            values = [m[metric] for m in members if m[metric] is not None]
            entry[f"{metric}_mean"], entry[f"{metric}_sd"] = mean_sd(values) if values else (None, None)
        # One checkpoint has no seed sd: its example-bootstrap CI says how sure the drop is.
        entry["abs_drop_ci95"] = members[0]["abs_drop_ci95"] if len(members) == 1 else None
        rel = [m["rel_drop"] for m in members if m["rel_drop"] is not None]
        entry["rel_drop_mean"], entry["rel_drop_sd"] = mean_sd(rel) if rel else (None, None)
        out.append(entry)
    return out


def summarize(study: "StudySpec", task, state: "RunState", predictions: list[tuple[EvalShard, list[dict]]],
              attacks: Sequence[tuple[AttackShard, list[dict]]] = ()) -> dict[str, Any]:
    from robustx.metrics.baselines import baseline_scores
    from robustx.metrics.records import corpus_value, scorer_of

    scorer = scorer_of(task)
    records = {(s.checkpoint.name, s.lang, s.condition): recs for s, recs in (*predictions, *attacks)}
    acc = {(s.checkpoint.name, s.lang, s.condition): corpus_value([scorer.ratio(r) for r in recs])
           for s, recs in predictions}
    rows = _checkpoint_rows(study, scorer, state, records)
    clean_only = [
        {"checkpoint": c.name, "group": c.group, "lang": lang, "clean_accuracy": acc[c.name, lang, CLEAN]}
        for c in study.checkpoints for lang in study.languages
    ]
    summary = {
        "robustx_version": __version__,
        "study": study.name,
        "study_file_sha256": file_sha256(study.source_file) if study.source_file else None,
        "task": study.task,
        "metric": task.metric,
        "languages": list(study.languages),
        "perturbation_seeds": list(study.perturbation_seeds),
        "data_sources": {lang: d.source for lang, d in state.data.items()},
        "skipped_rows": {lang: d.skipped for lang, d in state.data.items()},
        "clean": clean_only,
        "results": rows,
        "groups": _group_rows(rows),
        # Where every number comes from, relative to the run directory.
        "files": {
            "perturbed": sorted(c.path for conds in state.conditions.values() for c in conds.values() if c.path),
            "predictions": sorted(s.path(Path()).as_posix() for s, _ in predictions),
        },
    }
    baseline = baseline_scores(task, state.data)
    if baseline is not None:  # only then: summaries of tasks without a baseline keep their bytes
        summary["baseline"] = baseline
    if attacks:  # only then: summaries of studies without attacks keep their bytes
        summary["attacks"] = [attack_row(shard, recs) for shard, recs in attacks]
        summary["files"]["attacks"] = sorted(s.path(Path()).as_posix() for s, _ in attacks)
    return summary


def attack_row(shard: AttackShard, records: Sequence[dict]) -> dict[str, Any]:
    """One (checkpoint, language, attack, seed): TextAttack's figures. Success rate is over the
    examples attacked (right when clean); skipped ones count as wrong in accuracy under attack."""
    status = [r["status"] for r in records]
    attacked = [r for r in records if r["status"] != "skipped"]
    won = [r for r in attacked if r["status"] == "success"]
    ckpt = shard.checkpoint

    def mean(values: Sequence[float]) -> float | None:
        return statistics.fmean(values) if values else None

    return {
        "checkpoint": ckpt.name, "group": ckpt.group, "seed": ckpt.seed, "lang": shard.lang,
        "attack": shard.attack.name, "attack_seed": shard.seed, "n": len(records),
        "clean_accuracy": mean([r["clean_pred"] == r["gold"] for r in records]),
        "accuracy_under_attack": accuracy(records),
        "success": status.count("success"), "failed": status.count("failed"), "skipped": status.count("skipped"),
        "success_rate": len(won) / len(attacked) if attacked else None,
        "words_modified": mean([r["modified"] / r["words"] for r in won]),
        "queries_per_example": mean([r["queries"] for r in attacked]),
        "queries_per_success": mean([r["queries"] for r in won]),
    }
