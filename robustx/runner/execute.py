"""Run a study: load data, make perturbed sets, score every checkpoint, summarize.

Work is done shard by shard and each shard's file is written atomically as soon as it
is finished, so an interrupted run loses at most the shard in flight and a re-run
reuses everything already on disk.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from robustx.hashing import files_digest, stable_digest
from robustx.models.checkpoint import fingerprint, load_model
from robustx.perturb.base import AlignedIndex
from robustx.runner import layout
from robustx.runner.perturbing import build_perturbation, perturbed_set
from robustx.runner.scoring import SCORERS
from robustx.runner.shards import CLEAN, EvalShard, PerturbShard, settings_key
from robustx.runner.store import dumps, read_jsonl, write_atomic, write_jsonl
from robustx.study.spec import PerturbationSpec, StudySpec
from robustx.tasks.base import DataSource, Example, TaskData

Log = Callable[[str], None]


@dataclass
class Condition:
    """The examples of one (language, condition) and the key of their content."""

    name: str
    examples: list[Example]
    input_key: str
    records: list[dict] = field(default_factory=list)
    path: str = ""  # the perturbed set's file, relative to the run directory ("" for clean)


@dataclass
class RunState:
    root: Path
    data: dict[str, TaskData] = field(default_factory=dict)
    conditions: dict[str, dict[str, Condition]] = field(default_factory=dict)
    reused: int = 0
    computed: int = 0
    summary: dict = field(default_factory=dict)


def _examples_key(examples: list[Example]) -> str:
    return stable_digest([(e.id, dict(e.fields), e.label) for e in examples])


def _source(study: StudySpec) -> DataSource:
    d = study.data
    return DataSource(kind=d.source, path=d.path, split=d.split, allow_skip=d.allow_skip, limit=d.limit)


def _load_data(study: StudySpec, task, state: RunState, log: Log) -> None:
    source = _source(study)
    for lang in study.languages:
        data = task.load(lang, source)
        if data.skipped:
            log(f"[yellow]{lang}: skipped {data.skipped} malformed rows of {data.source} (allow_skip = true)[/]")
        state.data[lang] = data


def _input_key(spec: PerturbationSpec, lang: str, data_key: str, aligned: AlignedIndex) -> str:
    """``data_key``, extended by the content of what else the recipe reads: other languages'
    rows and data files (dictionaries, wordnets). Recipes that read neither keep ``data_key``."""
    perturbation = build_perturbation(spec)
    langs = perturbation.aligned_languages(lang)
    files = perturbation.resource_files(lang)
    key = data_key
    if langs:
        key = stable_digest(key, [(other, _examples_key(list(aligned.examples(other)))) for other in langs])
    if files:
        key = stable_digest(key, files_digest(files))
    return key


def _perturb(study: StudySpec, task, state: RunState, log: Log) -> None:
    source = _source(study)
    # Other languages' rows for recipes that mix languages, loaded once on first use.
    aligned = AlignedIndex(lambda other: state.data[other].examples if other in state.data
                           else task.load(other, source).examples)
    for lang, data in state.data.items():
        examples = list(data.examples)
        data_key = _examples_key(examples)
        conds = {CLEAN: Condition(CLEAN, examples, data_key)}
        for spec in filter(lambda spec: spec.covers(lang), study.perturbations):
            for seed in study.perturbation_seeds:
                shard = PerturbShard(study.task, lang, spec, seed, _input_key(spec, lang, data_key, aligned))
                perturbed, records, reused = perturbed_set(shard, examples, state.root, aligned)
                conds[shard.condition] = Condition(shard.condition, perturbed, shard.key, records,
                                                   shard.path(Path()).as_posix())
                state.reused += reused
                state.computed += not reused
        state.conditions[lang] = conds


def eval_shards(study: StudySpec, state: RunState) -> list[tuple[EvalShard, Condition]]:
    """Every (checkpoint, language, condition) of the study, with the examples it scores."""
    return [
        (EvalShard(ckpt, fingerprint(ckpt), study.task, lang, cond.name, cond.input_key, settings_key(study, ckpt)), cond)
        for ckpt in study.checkpoints
        for lang, conds in state.conditions.items()
        for cond in conds.values()
    ]


def _evaluate(study: StudySpec, task, shards: list[tuple[EvalShard, Condition]], state: RunState, log: Log) -> None:
    from robustx.engine.predict import resolve_device

    device = resolve_device(study.run.device)
    score = SCORERS.get(task.kind)
    for ckpt in study.checkpoints:
        missing = [(s, c) for s, c in shards if s.checkpoint is ckpt and not s.path(state.root).exists()]
        if not missing:
            continue
        started = time.perf_counter()
        loaded = load_model(ckpt, task, device)
        log(f"{ckpt.name}: loaded in {time.perf_counter() - started:.1f}s; {len(missing)} shards to score on {device}")
        for shard, cond in missing:
            label = f"{ckpt.name} {shard.lang} {cond.name}"
            records = score(task, loaded, ckpt, study.run, cond.examples, state.data[shard.lang], label)
            write_jsonl(shard.path(state.root), records)
            state.computed += 1


def run_study(study: StudySpec, log: Log = print) -> RunState:
    """Execute every shard of ``study`` that is not already on disk, then write the summary."""
    import torch

    from robustx.report.summary import summarize
    from robustx.tasks import TASKS

    torch.set_num_threads(study.run.threads)
    task = TASKS.get(study.task)()
    state = RunState(root=Path(study.output))
    write_atomic(state.root / layout.STUDY, dumps(dataclasses.asdict(study)) + "\n")
    _load_data(study, task, state, log)
    _perturb(study, task, state, log)
    shards = eval_shards(study, state)
    state.reused += sum(s.path(state.root).exists() for s, _ in shards)
    _evaluate(study, task, shards, state, log)
    predictions = [(s, list(read_jsonl(s.path(state.root)))) for s, _ in shards]
    state.summary = summarize(study, task, state, predictions)
    write_atomic(state.root / layout.SUMMARY, dumps(state.summary) + "\n")
    return state
