"""The plan of a study: every shard still to make, as pure, picklable specs with keys and
dependencies (docs/execution.md). An executor runs it; nothing here touches a model.

Planning reads what the run directory already holds: a valid shard is reused, not planned.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping, Sequence

from robustx.hashing import files_digest, stable_digest
from robustx.attack.run import RECORD_KEYS as ATTACK_KEYS
from robustx.metrics.records import scorer_of
from robustx.models.checkpoint import fingerprint
from robustx.perturb import PERTURBATIONS
from robustx.perturb.base import AlignedIndex, Perturbation
from robustx.runner.perturbing import RECORD_KEYS, build_perturbation
from robustx.runner.shards import CLEAN, AttackShard, EvalShard, PerturbShard, settings_key
from robustx.runner.store import load_shard
from robustx.study.spec import AttackSpec, CheckpointSpec, StudySpec
from robustx.tasks.base import DataSource, Example, Span, TaskData

Log = Callable[[str], None]


@dataclass(frozen=True)
class PerturbJob:
    """Make one perturbed set. ``aligned``: the rows of other languages the recipe reads, by value."""

    shard: PerturbShard
    examples: tuple[Example, ...]
    aligned: Mapping[str, Mapping[str, Example]] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoreTarget:
    """One prediction shard to make; ``source`` is the key of the perturbed set it scores ("" = clean)."""

    shard: EvalShard
    source: str = ""


# A scoring job grows language by language up to this many model inputs: enough that one
# length-sorted pass fills its batches, few enough that a killed run loses little.
JOB_INPUTS = 20_000


@dataclass(frozen=True)
class ScoreJob:
    """Missing prediction shards of one checkpoint (a few languages, or all), scored together:
    one length-sorted pass, and an input they share scored once. ``data``: the languages'
    data. ``ready``: perturbed records already on disk that its targets read; the rest come
    from this run's PerturbJobs (``needs``). ``clean``: clean predictions on disk, by
    language, reused for perturbed inputs equal to their clean input."""

    checkpoint: CheckpointSpec
    targets: tuple[ScoreTarget, ...]
    data: Mapping[str, TaskData]
    ready: Mapping[str, Sequence[dict]] = field(default_factory=dict)
    clean: Mapping[str, Sequence[dict]] = field(default_factory=dict)

    @property
    def needs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.source for t in self.targets if t.source and t.source not in self.ready))


@dataclass(frozen=True)
class AttackJob:
    """Attack one checkpoint on one (language, attack, seed): ``data`` is the language's data (the
    examples; for retrieval the target pool), ``aligned`` the rows of other languages the
    transformation reads, by value."""

    shard: AttackShard
    data: TaskData
    aligned: Mapping[str, Mapping[str, Example]] = field(default_factory=dict)

    @property
    def checkpoint(self) -> CheckpointSpec:
        return self.shard.checkpoint

    @property
    def needs(self) -> tuple[str, ...]:
        return ()  # it makes its own inputs


ModelJob = ScoreJob | AttackJob


@dataclass(frozen=True)
class Condition:
    """One (language, condition) of the study: its shard key and, for a perturbed set, its file."""

    name: str
    input_key: str
    path: str = ""  # the perturbed set's file, relative to the run directory ("" for clean)


@dataclass(frozen=True)
class Plan:
    """What to run (``perturb``, ``score``, ``attack``) and what the run directory already held
    (``done``: records by shard key), with every condition, prediction and attack shard of the study."""

    perturb: tuple[PerturbJob, ...]
    score: tuple[ScoreJob, ...]
    conditions: Mapping[str, Mapping[str, Condition]]
    evaluations: tuple[EvalShard, ...]
    done: Mapping[str, Sequence[dict]]
    attack: tuple[AttackJob, ...] = ()
    attacks: tuple[AttackShard, ...] = ()

    def model_jobs(self) -> dict[str, list[ModelJob]]:
        """The jobs that need a checkpoint's model, by checkpoint name, in plan order."""
        jobs: dict[str, list[ModelJob]] = {}
        for job in (*self.score, *self.attack):
            jobs.setdefault(job.checkpoint.name, []).append(job)
        return jobs


@dataclass
class _Gathering:
    """A ScoreJob being gathered, language by language."""

    targets: list[ScoreTarget] = field(default_factory=list)
    data: dict[str, TaskData] = field(default_factory=dict)
    ready: dict[str, Sequence[dict]] = field(default_factory=dict)
    clean: dict[str, Sequence[dict]] = field(default_factory=dict)

    @property
    def inputs(self) -> int:
        return sum(len(self.data[t.shard.lang].examples) for t in self.targets)

    def job(self, ckpt: CheckpointSpec) -> ScoreJob:
        clean = {lang: records for lang, records in self.clean.items() if lang in self.data}
        return ScoreJob(ckpt, tuple(self.targets), self.data, self.ready, clean)


def examples_key(examples: Sequence[Example]) -> str:
    # Spans join the key only where there are some, so keys of unstructured tasks stay as they were.
    return stable_digest([(e.id, dict(e.fields), e.label, *([[list(s) for s in map(astuple, e.spans)]] if e.spans else []))
                          for e in examples])


def input_key(perturbation: Perturbation, lang: str, data_key: str, aligned: AlignedIndex) -> str:
    """``data_key``, extended by the content of what else the recipe reads: other languages'
    rows and data files (dictionaries, wordnets). Recipes that read neither keep ``data_key``."""
    langs = perturbation.aligned_languages(lang)
    files = perturbation.resource_files(lang)
    key = data_key
    if langs:
        key = stable_digest(key, [(other, examples_key(aligned.examples(other))) for other in langs])
    if files:
        key = stable_digest(key, files_digest(files))
    return key


def apply_records(examples: Sequence[Example], records: Sequence[dict]) -> list[Example]:
    """The perturbed examples a perturbed set's records describe (records in the examples' order)."""
    return [_applied(ex, rec) for ex, rec in zip(examples, records, strict=True)]


def _applied(example: Example, record: dict) -> Example:
    out = example.with_fields(**record["fields"])
    if "spans" in record:
        out = replace(out, spans=tuple(Span(*s) for s in record["spans"]))
    return out


def make_plan(study: StudySpec, task, data: Mapping[str, TaskData], root: Path, source: DataSource,
              log: Log) -> Plan:
    """The shards of ``study`` on ``data``; those valid under ``root`` are read, the rest planned.
    ``study.run.dtype`` must be resolved (engine.predict.resolve_dtype): it is part of the keys."""
    # Other languages' rows for recipes that mix languages, loaded once on first use.
    aligned = AlignedIndex(lambda other: data[other].examples if other in data else task.load(other, source).examples)
    done: dict[str, Sequence[dict]] = {}
    perturb: list[PerturbJob] = []
    conditions: dict[str, dict[str, Condition]] = {}
    for lang, lang_data in data.items():
        examples = tuple(lang_data.examples)
        ids = [ex.id for ex in examples]
        conds = conditions[lang] = {CLEAN: Condition(CLEAN, examples_key(examples))}
        for spec in filter(lambda spec: spec.covers(lang), study.perturbations):
            # What the recipe reads besides the examples (and its key: files are hashed) is the same for every seed.
            perturbation = build_perturbation(spec)
            key = input_key(perturbation, lang, conds[CLEAN].input_key, aligned)
            rows = {other: aligned.rows(other) for other in perturbation.aligned_languages(lang)}
            for seed in study.perturbation_seeds:
                shard = PerturbShard(study.task, lang, spec, seed, key)
                conds[shard.condition] = Condition(shard.condition, shard.key, shard.path(Path()).as_posix())
                records = load_shard(shard.path(root), ids, RECORD_KEYS, log)
                if records is not None:
                    done[shard.key] = records
                    continue
                perturb.append(PerturbJob(shard, examples, rows))
    attack_inputs = _attack_inputs(study, data, conditions, aligned)
    evaluations, score, attacks, attack = [], [], [], []
    for ckpt in study.checkpoints:
        ckpt_key, settings = fingerprint(ckpt), settings_key(study.run, ckpt)
        for lang, by_attack in attack_inputs.items():
            ids = [ex.id for ex in data[lang].examples]
            for spec, (key, rows) in by_attack:
                for seed in study.perturbation_seeds:
                    shard = AttackShard(ckpt, ckpt_key, settings, study.task, lang, spec, seed, key)
                    attacks.append(shard)
                    records = load_shard(shard.path(root), ids, ATTACK_KEYS, log)
                    if records is not None:
                        done[shard.key] = records
                    else:
                        attack.append(AttackJob(shard, data[lang], rows))
        gathering = _Gathering()
        for lang, conds in conditions.items():
            ids = [ex.id for ex in data[lang].examples]
            for cond in conds.values():
                shard = EvalShard(ckpt, ckpt_key, study.task, lang, cond.name, cond.input_key, settings)
                evaluations.append(shard)
                records = load_shard(shard.path(root), ids, scorer_of(task).keys, log)
                if records is not None:
                    done[shard.key] = records
                    if cond.name == CLEAN:
                        gathering.clean[lang] = records
                    continue
                source = "" if cond.name == CLEAN else cond.input_key
                gathering.targets.append(ScoreTarget(shard, source))
                gathering.data[lang] = data[lang]
                if source in done:
                    gathering.ready[source] = done[source]
            if gathering.inputs >= JOB_INPUTS:
                score.append(gathering.job(ckpt))
                gathering = _Gathering()
        if gathering.targets:
            score.append(gathering.job(ckpt))
    return Plan(tuple(perturb), tuple(score), conditions, tuple(evaluations), done, tuple(attack), tuple(attacks))


def _attack_inputs(study: StudySpec, data: Mapping[str, TaskData], conditions: Mapping[str, Mapping[str, Condition]],
                   aligned: AlignedIndex) -> dict[str, list[tuple[AttackSpec, tuple[str, dict]]]]:
    """Per language, each attack covering it with its input key and the aligned rows it reads."""
    out: dict[str, list[tuple[AttackSpec, tuple[str, dict]]]] = {}
    for lang in data:
        for spec in filter(lambda spec: spec.covers(lang), study.attacks):
            if spec.textattack:  # TextAttack's recipes read the clean examples only
                out.setdefault(lang, []).append((spec, (conditions[lang][CLEAN].input_key, {})))
                continue
            perturbation = PERTURBATIONS.get(spec.transformation).from_dict(spec.params, f"attack {spec.name}")
            key = input_key(perturbation, lang, conditions[lang][CLEAN].input_key, aligned)
            rows = {other: aligned.rows(other) for other in perturbation.aligned_languages(lang)}
            out.setdefault(lang, []).append((spec, (key, rows)))
    return out
