"""What a worker does with one job of a plan: the same functions for every executor, so the
records are the same bytes whichever executor ran them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from robustx.models.checkpoint import LoadedModel
from robustx.runner.perturbing import perturb_records
from robustx.runner.plan import AttackJob, ModelJob, PerturbJob, ScoreJob, apply_records
from robustx.metrics.records import records
from robustx.runner.scoring import PREDICTORS
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

    Each distinct input is scored once, all in one length-sorted pass (one per language where
    answers depend on it): a perturbed example equal to its clean input (the recipe changed
    nothing) or to another condition's takes the prediction made for it, or the clean
    prediction already on disk.
    """
    predictor = PREDICTORS.get(task.kind)
    sets = {**job.ready, **perturbed}

    def key(lang: str, example) -> tuple:
        return (lang if predictor.per_language else "", predictor.inputs(task, example))

    examples = {}
    for target in job.targets:
        clean = job.data[target.shard.lang].examples
        examples[target.shard.key] = apply_records(clean, sets[target.source]) if target.source else clean
    if predictor.whole_set:
        return _score_whole_sets(job, examples, predictor, task, loaded, run)
    known = {key(lang, ex): rec["pred"] for lang, recs in job.clean.items()
             for ex, rec in zip(job.data[lang].examples, recs)}
    wanted = [key(t.shard.lang, ex) for t in job.targets for ex in examples[t.shard.key]]
    todo: dict[str, list[tuple[str, ...]]] = {}
    for lang, inputs in dict.fromkeys(k for k in wanted if k not in known):
        todo.setdefault(lang, []).append(inputs)
    for lang, inputs in todo.items():
        label = f"{job.checkpoint.name} {lang or ', '.join(job.data)} ({len(job.targets)} shards)"
        answers = predictor.predict(task, loaded, job.checkpoint, run, inputs, job.data.get(lang), label)
        known.update(((lang, x), answer) for x, answer in zip(inputs, answers, strict=True))
    shards = {}
    for target in job.targets:
        exs = examples[target.shard.key]
        shards[target.shard.key] = records(task, exs, [known[key(target.shard.lang, ex)] for ex in exs])
    return Scored(shards, len(wanted), sum(map(len, todo.values())))


def _score_whole_sets(job: ScoreJob, examples: Mapping[str, Sequence], predictor, task, loaded: LoadedModel,
                      run: RunSpec) -> Scored:
    """Each target's examples predicted as one set (mining: a sentence's answer depends on the others)."""
    shards = {}
    for target in job.targets:
        exs = examples[target.shard.key]
        label = f"{job.checkpoint.name} {target.shard.lang} {target.shard.condition}"
        answers = predictor.predict(task, loaded, job.checkpoint, run, [predictor.inputs(task, ex) for ex in exs],
                                    job.data[target.shard.lang], label)
        shards[target.shard.key] = records(task, exs, answers)
    n = sum(len(examples[t.shard.key]) for t in job.targets)
    return Scored(shards, n, n)


@dataclass(frozen=True)
class Attacked:
    """An AttackJob's records and the seconds it took (kept apart from the records: not reproducible)."""

    records: list[dict]
    seconds: float


def run_attack_job(job: AttackJob, perturbed: Mapping[str, Sequence[dict]], task, loaded: LoadedModel,
                   run: RunSpec) -> Attacked:
    import time

    from robustx.attack.oracle import Oracle
    from robustx.attack.run import attack_records, build_attack
    from robustx.attack.similarity import Similarity

    started = time.perf_counter()
    shard = job.shard
    if shard.attack.textattack:
        from robustx.attack.textattack_recipes import attack_records as textattack_records

        records = textattack_records(shard.attack, task, shard.seed, job.data.examples, loaded, shard.checkpoint,
                                     run.batch_size, run.max_length)
        return Attacked(records, time.perf_counter() - started)
    attack = build_attack(shard.attack, task)
    label = f"{shard.checkpoint.name} {shard.lang} {shard.condition}"
    oracle = Oracle(task, loaded, shard.checkpoint, run, job.data, label)
    constraints = attack.constraints
    similarity = (Similarity(constraints.similarity_model, loaded.device, run.batch_size, run.max_length)
                  if constraints.min_similarity > 0 else None)
    records = attack_records(attack, task, shard.lang, shard.seed, job.data.examples, oracle, job.aligned, similarity)
    return Attacked(records, time.perf_counter() - started)


# What a worker with a checkpoint's model does with each kind of job.
MODEL_JOBS = {ScoreJob: run_score_job, AttackJob: run_attack_job}


def run_model_job(job: ModelJob, perturbed: Mapping[str, Sequence[dict]], task, loaded: LoadedModel,
                  run: RunSpec) -> Scored | Attacked:
    return MODEL_JOBS[type(job)](job, perturbed, task, loaded, run)
