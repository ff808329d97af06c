"""Run a study: load data, make perturbed sets, score every checkpoint, summarize.

Work is done shard by shard and each shard's file is written atomically as soon as it
is finished, so an interrupted run loses at most the shard in flight and a re-run
reuses everything already on disk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from robustx.hashing import files_digest, stable_digest
from robustx.models.checkpoint import fingerprint, load_model
from robustx.perturb.base import AlignedIndex
from robustx.runner import layout
from robustx.runner.perturbing import build_perturbation, perturbed_set
from robustx.runner.scoring import PREDICTION_KEYS, SCORERS
from robustx.runner.shards import CLEAN, EvalShard, PerturbShard, settings_key
from robustx.runner.rundir import claim
from robustx.runner.store import dumps, load_shard, write_atomic, write_jsonl
from robustx.study.preflight import preflight
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


def load_data(study: StudySpec, task, log: Log) -> dict[str, TaskData]:
    """Every study language's data, reporting counted skips."""
    source = _source(study)
    loaded = {}
    for lang in study.languages:
        data = loaded[lang] = task.load(lang, source)
        if data.skipped:
            log(f"[yellow]{lang}: skipped {data.skipped} malformed rows of {data.source} (allow_skip = true)[/]")
    return loaded


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
                perturbed, records, reused = perturbed_set(shard, examples, state.root, aligned, log)
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


def _evaluate(study: StudySpec, task, shards: list[tuple[EvalShard, Condition]], state: RunState,
              log: Log) -> list[list[dict]]:
    """Every shard's prediction records, in ``shards``' order: reused where a valid file exists."""
    from robustx.engine.predict import resolve_device

    device = resolve_device(study.run.device)
    score = SCORERS.get(task.kind)
    done = [load_shard(s.path(state.root), [ex.id for ex in c.examples], PREDICTION_KEYS, log) for s, c in shards]
    state.reused += sum(records is not None for records in done)
    for ckpt in study.checkpoints:
        missing = [i for i, (s, _) in enumerate(shards) if s.checkpoint is ckpt and done[i] is None]
        if not missing:
            continue
        started = time.perf_counter()
        loaded = load_model(ckpt, task, device)
        log(f"{ckpt.name}: loaded in {time.perf_counter() - started:.1f}s; {len(missing)} shards to score on {device}")
        for i in missing:
            shard, cond = shards[i]
            label = f"{ckpt.name} {shard.lang} {cond.name}"
            done[i] = score(task, loaded, ckpt, study.run, cond.examples, state.data[shard.lang], label)
            write_jsonl(shard.path(state.root), done[i])
            state.computed += 1
    return done


def run_study(study: StudySpec, log: Log = print, fresh: bool = False) -> RunState:
    """Execute every shard of ``study`` that is not already on disk, then write the summary.

    The output directory is held for the whole run and must hold this study or nothing
    (``fresh`` moves anything else aside); study.json is written once the data loaded.
    """
    import torch

    from robustx.report.summary import summarize
    from robustx.tasks import TASKS

    task = TASKS.get(study.task)()
    preflight(study, task, fresh)
    torch.set_num_threads(study.run.threads)
    with claim(study, fresh, log) as held:
        state = RunState(root=held.root)
        state.data = load_data(study, task, log)
        held.record()
        _perturb(study, task, state, log)
        shards = eval_shards(study, state)
        records = _evaluate(study, task, shards, state, log)
        state.summary = summarize(study, task, state, [(s, r) for (s, _), r in zip(shards, records)])
        write_atomic(state.root / layout.SUMMARY, dumps(state.summary) + "\n")
    return state
