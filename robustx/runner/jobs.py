"""What a worker does with one job of a plan: the same functions for every executor, so the
records are the same bytes whichever executor ran them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from robustx.models.checkpoint import LoadedModel
from robustx.runner.perturbing import perturb_records
from robustx.runner.plan import PerturbJob, ScoreJob, apply_records
from robustx.runner.scoring import PREDICTORS, inputs_of, records
from robustx.study.spec import RunSpec


def run_perturb_job(job: PerturbJob) -> list[dict]:
    return perturb_records(job.shard, job.examples, job.aligned)


@dataclass(frozen=True)
class Scored:
    """A ScoreJob's prediction records by shard key, and how many inputs it scored of how many."""

    shards: Mapping[str, list[dict]]
    inputs: int
    scored: int


def run_score_job(job: ScoreJob, perturbed: Mapping[str, Sequence[dict]], task, loaded: LoadedModel,
                  run: RunSpec) -> Scored:
    """Score every target of ``job``; ``perturbed``: records of this run's perturbed sets it needs.

    Each distinct input is scored once, in one length-sorted pass: a perturbed example equal
    to its clean input (the recipe changed nothing) or to another condition's takes the
    prediction made for it, or the clean prediction already on disk.
    """
    clean = list(job.data.examples)
    sets = {**job.ready, **perturbed}
    examples = {t.shard.key: apply_records(clean, sets[t.source]) if t.source else clean for t in job.targets}
    known: dict[tuple[str, ...], str] = {}
    if job.clean is not None:
        known = {inputs_of(task, ex): rec["pred"] for ex, rec in zip(clean, job.clean)}
    wanted = [inputs_of(task, ex) for exs in examples.values() for ex in exs]
    todo = list(dict.fromkeys(x for x in wanted if x not in known))
    if todo:
        label = f"{job.checkpoint.name} {job.lang} ({len(job.targets)} shards)"
        known.update(zip(todo, PREDICTORS.get(task.kind)(task, loaded, job.checkpoint, run, todo, job.data, label)))
    shards = {key: records(exs, [known[inputs_of(task, ex)] for ex in exs]) for key, exs in examples.items()}
    return Scored(shards, len(wanted), len(todo))
