"""Run a study: load data, plan the shards still to make, let an executor make them, summarize.

The driver (this module) writes every shard file itself, atomically, as its result arrives,
so an interrupted run loses at most the jobs in flight, a re-run reuses everything on disk,
and workers need no access to the run directory.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

from robustx.errors import RobustxError
from robustx.runner import layout
from robustx.runner.executors import EXECUTORS, Context
from robustx.runner.jobs import Attacked, Scored
from robustx.runner.plan import AttackJob, Condition, PerturbJob, Plan, ScoreJob, make_plan
from robustx.runner.rundir import claim
from robustx.runner.store import dumps, write_atomic, write_jsonl
from robustx.study.preflight import preflight
from robustx.study.spec import StudySpec
from robustx.tasks.base import DataSource, TaskData

Log = Callable[[str], None]


@dataclass
class RunState:
    """What a run made and read: records by shard key, and its counts."""

    root: Path
    data: Mapping[str, TaskData] = field(default_factory=dict)
    conditions: Mapping[str, Mapping[str, Condition]] = field(default_factory=dict)
    records: dict[str, Sequence[dict]] = field(default_factory=dict)
    reused: int = 0
    computed: int = 0
    inputs: int = 0  # model inputs of the prediction shards computed
    inputs_scored: int = 0  # of which distinct, hence scored (the rest reused a prediction)
    summary: dict = field(default_factory=dict)
    # Seconds per example by attack shard file: the run directory's earlier ones, then this run's.
    timings: dict[str, float] = field(default_factory=dict)

    # RunState is the executor's sink: these two write each result as it arrives.
    def perturbed(self, job: PerturbJob, records: list[dict]) -> None:
        write_jsonl(job.shard.path(self.root), records)
        self.records[job.shard.key] = records
        self.computed += 1

    def attacked(self, job: AttackJob, result: Attacked) -> None:
        write_jsonl(job.shard.path(self.root), result.records)
        self.records[job.shard.key] = result.records
        self.timings[job.shard.path(Path()).as_posix()] = result.seconds / max(1, len(result.records))
        # Written with its shard, so a run stopped part-way keeps the timings of what it computed.
        write_atomic(self.root / layout.TIMINGS, dumps(self.timings) + "\n")
        self.computed += 1

    def scored(self, job: ScoreJob, result: Scored) -> None:
        for target in job.targets:
            write_jsonl(target.shard.path(self.root), result.shards[target.shard.key])
        self.records.update(result.shards)
        self.computed += len(job.targets)
        self.inputs += result.inputs
        self.inputs_scored += result.scored


def read_timings(root: Path) -> dict[str, float]:
    """Seconds per attacked example by attack shard file, as earlier runs recorded them ({} if none)."""
    import json

    try:
        return json.loads((root / layout.TIMINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def source_of(study: StudySpec) -> DataSource:
    d = study.data
    # With held-out rows the limit counts held-out examples (heldout_only), not rows of the file.
    return DataSource(kind=d.source, path=d.path, split=d.split, allow_skip=d.allow_skip,
                      limit=None if d.heldout_rows else d.limit)


def load_data(study: StudySpec, task, log: Log) -> dict[str, TaskData]:
    """Every study language's data, reporting counted skips."""
    source = source_of(study)
    loaded = {}
    for lang in study.languages:
        data = loaded[lang] = heldout_only(study, lang, task.load(lang, source))
        if data.skipped:
            log(f"[yellow]{lang}: skipped {data.skipped} malformed rows of {data.source} (allow_skip = true)[/]")
    return loaded


def heldout_only(study: StudySpec, lang: str, data: TaskData) -> TaskData:
    """``data`` narrowed to the study's held-out rows (``[data] heldout = true``), the first ``limit``
    of them, else as it is."""
    if not study.data.heldout_rows:
        return data
    keep = set(study.data.heldout_rows)
    examples = [e for e in data.examples if (e.row or e.id) in keep]
    if not examples:
        raise RobustxError(f"{study.source_file}: data.heldout: no example of {study.task} {lang} ({data.source}) "
                           "is among the checkpoints' held-out rows")
    return dataclasses.replace(data, examples=examples[:study.data.limit])


def run_study(study: StudySpec, log: Log = print, fresh: bool = False, executor: str = "local",
              address: str | None = None) -> RunState:
    """Make every shard of ``study`` that is not already on disk, then write the summary.

    The output directory is held for the whole run and must hold this study or nothing
    (``fresh`` moves anything else aside); study.json is written once the data loaded.
    """
    from robustx.engine.predict import resolve_device, resolve_dtype
    from robustx.report.summary import summarize
    from robustx.tasks import TASKS

    task = TASKS.get(study.task)()
    preflight(study, task, fresh)
    runner = EXECUTORS.get(executor)(address=address)
    with claim(study, fresh, log) as held:
        state = RunState(root=held.root, data=load_data(study, task, log))
        held.record()
        state.timings = read_timings(held.root)  # once the directory is this study's (--fresh moved the rest)
        # The driver settles "auto" once: the dtype is part of the shard keys, whatever worker computes them.
        run = dataclasses.replace(study.run, dtype=resolve_dtype(study.run.dtype, resolve_device(study.run.device)))
        plan: Plan = make_plan(dataclasses.replace(study, run=run), task, state.data, held.root, source_of(study), log)
        state.conditions, state.records = plan.conditions, dict(plan.done)
        state.reused = len(plan.done)
        runner.run(plan, Context(study.task, run, log), state)
        predictions = [(shard, state.records[shard.key]) for shard in plan.evaluations]
        attacks = [(shard, state.records[shard.key]) for shard in plan.attacks]
        state.summary = summarize(study, task, state, predictions, attacks)
        write_atomic(state.root / layout.SUMMARY, dumps(state.summary) + "\n")
    return state
