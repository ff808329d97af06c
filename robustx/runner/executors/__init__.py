"""Executors run a study's plan (docs/execution.md); registered lazily so that the CLI imports
neither of them, nor Ray, until a run asks for one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from robustx.registry import Registry
from robustx.runner.jobs import Attacked, Scored
from robustx.runner.plan import AttackJob, ModelJob, PerturbJob, Plan, ScoreJob
from robustx.study.spec import RunSpec


class Sink(Protocol):
    """The driver's side: it writes each result into the run directory as it arrives."""

    def perturbed(self, job: PerturbJob, records: list[dict]) -> None: ...

    def scored(self, job: ScoreJob, result: Scored) -> None: ...

    def attacked(self, job: AttackJob, result: Attacked) -> None: ...


def deliver(sink: Sink, job: ModelJob, result: Scored | Attacked) -> None:
    """Hand a model job's result to the sink method for its kind."""
    if isinstance(job, AttackJob):
        sink.attacked(job, result)
    else:
        sink.scored(job, result)


def describe(jobs: list[ModelJob]) -> str:
    """What a checkpoint's jobs will make, for the log: "12 shards to score, 2 attacks"."""
    shards = sum(len(job.targets) for job in jobs if isinstance(job, ScoreJob))
    attacks = sum(isinstance(job, AttackJob) for job in jobs)
    parts = [f"{shards} shards to score"] * bool(shards) + [f"{attacks} attack shards"] * bool(attacks)
    return ", ".join(parts)


@dataclass(frozen=True)
class Context:
    task: str  # the task's registry name: workers build the task themselves
    run: RunSpec
    log: Callable[[str], None]


class Executor(Protocol):
    def run(self, plan: Plan, context: Context, sink: Sink) -> None: ...


EXECUTORS: Registry[Callable[..., Executor]] = Registry("executor")
EXECUTORS.register("local", "robustx.runner.executors.local:LocalExecutor")
EXECUTORS.register("ray", "robustx.runner.executors.ray:RayExecutor")
