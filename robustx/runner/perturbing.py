"""Make the perturbed test set of one PerturbShard."""

from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

from robustx.errors import RobustxError
from robustx.perturb import PERTURBATIONS
from robustx.perturb.base import ShardContext, perturb_examples
from robustx.runner.shards import PerturbShard
from robustx.study.spec import PerturbationSpec
from robustx.tasks.base import Example


def build_perturbation(spec: PerturbationSpec):
    return PERTURBATIONS.get(spec.perturbation).from_dict(spec.params, f"perturbation {spec.name}")


def perturb_records(shard: PerturbShard, examples: Sequence[Example],
                    aligned: Mapping[str, Mapping[str, Example]] | None = None) -> list[dict]:
    """The records of one shard; ``aligned`` (language -> row -> example) serves recipes that
    read other languages' rows."""
    perturbation = build_perturbation(shard.perturbation)
    fields = shard.perturbation.fields
    langs = perturbation.aligned_languages(shard.lang)
    missing = [lang for lang in langs if lang not in (aligned or {})]
    if missing:
        raise RobustxError(f"perturbation {shard.perturbation.name} reads aligned rows of {', '.join(missing)}: "
                           "give them from the same data source")
    perturbation.prepare(ShardContext(shard.lang, tuple(fields), examples, {lang: aligned[lang] for lang in langs}))
    done = perturb_examples(perturbation, examples, shard.seed, fields, shard.perturbation.entities)
    return [
        {
            "id": example.id,
            "fields": {f: out.example.fields[f] for f in fields},
            "edits": [dataclasses.asdict(e) for e in out.edits],
            "units": out.units,
            "changed": out.changed,
            # Structured examples keep their spans aligned (docs/structured.md); others have none to store.
            **({"spans": [list(dataclasses.astuple(s)) for s in out.example.spans]} if example.spans else {}),
        }
        for example, out in zip(examples, done, strict=True)
    ]


RECORD_KEYS = ("id", "fields", "edits", "units", "changed")
