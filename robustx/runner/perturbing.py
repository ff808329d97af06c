"""Make (or reuse) the perturbed test set of one PerturbShard."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, Sequence

from robustx.errors import RobustxError
from robustx.perturb import PERTURBATIONS
from robustx.perturb.base import AlignedIndex, ShardContext, perturb_examples
from robustx.runner.shards import PerturbShard
from robustx.runner.store import load_shard, write_jsonl
from robustx.study.spec import PerturbationSpec
from robustx.tasks.base import Example


def build_perturbation(spec: PerturbationSpec):
    return PERTURBATIONS.get(spec.perturbation).from_dict(spec.params, f"perturbation {spec.name}")


def perturb_records(shard: PerturbShard, examples: Sequence[Example], aligned: AlignedIndex | None = None) -> list[dict]:
    """The records of one shard; ``aligned`` serves recipes that read other languages' rows."""
    perturbation = build_perturbation(shard.perturbation)
    fields = shard.perturbation.fields
    langs = perturbation.aligned_languages(shard.lang)
    if langs and aligned is None:
        raise RobustxError(f"perturbation {shard.perturbation.name} reads aligned rows of {', '.join(langs)}: "
                           "it needs an AlignedIndex of the same data source")
    rows = {lang: aligned.rows(lang) for lang in langs} if aligned is not None else {}
    perturbation.prepare(ShardContext(shard.lang, tuple(fields), examples, rows))
    done = perturb_examples(perturbation, examples, shard.seed, fields)
    return [
        {
            "id": example.id,
            "fields": {f: out.example.fields[f] for f in fields},
            "edits": [dataclasses.asdict(e) for e in out.edits],
            "units": out.units,
            "changed": out.changed,
        }
        for example, out in zip(examples, done, strict=True)
    ]


RECORD_KEYS = ("id", "fields", "edits", "units", "changed")


def perturbed_set(
    shard: PerturbShard, examples: Sequence[Example], root: Path, aligned: AlignedIndex | None = None,
    warn: Callable[[str], None] = print,
) -> tuple[list[Example], list[dict], bool]:
    """The perturbed examples and their records; the bool says whether they were reused."""
    path = shard.path(root)
    records = load_shard(path, [ex.id for ex in examples], RECORD_KEYS, warn)
    reused = records is not None
    if records is None:
        records = perturb_records(shard, examples, aligned)
        write_jsonl(path, records)
    by_id = {r["id"]: r for r in records}
    return [ex.with_fields(**by_id[ex.id]["fields"]) for ex in examples], records, reused
