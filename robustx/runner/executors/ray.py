"""Run a plan on a Ray cluster (extra ``robustx[ray]``): ``robustx run STUDY --executor ray``.

Perturbed sets are Ray tasks. Each checkpoint gets one actor that loads its model once and
scores that checkpoint's jobs (on a GPU where the study's device is one); a job's perturbed
inputs are the ObjectRefs of its PerturbJobs, so Ray orders the work. Results come back to
the driver, which writes them: workers need the checkpoints and lexical resources at the
paths the study names (or hub ids), never the run directory. A task or actor call whose
worker died is retried by Ray, and the actor restarted, so a killed worker loses nothing.
At most as many actors live at once as the cluster has CPUs (or GPUs) for them.
"""

from __future__ import annotations

import os
from typing import Any

from robustx.errors import RobustxError, first_line
from robustx.runner.executors import Context, Sink, deliver, describe
from robustx.runner.jobs import Attacked, Scored, run_model_job, run_perturb_job
from robustx.runner.plan import ModelJob, PerturbJob, Plan
from robustx.study.spec import CheckpointSpec, RunSpec

RETRIES = 3  # per task or actor call, and actor restarts


def _ray():
    try:
        import ray
    except ImportError:
        raise RobustxError("--executor ray needs Ray: pip install 'robustx[ray]'") from None
    return ray


class _Scorer:
    """One checkpoint's model, loaded once in a Ray worker."""

    def __init__(self, checkpoint: CheckpointSpec, task: str, run: RunSpec) -> None:
        import torch

        from robustx.engine.predict import resolve_device
        from robustx.models.checkpoint import load_model
        from robustx.tasks import TASKS

        torch.set_num_threads(run.threads)
        self.task, self.run = TASKS.get(task)(), run
        self.loaded = load_model(checkpoint, self.task, resolve_device(run.device), run.dtype)

    def work(self, job: ModelJob, *perturbed: list[dict]) -> Scored | Attacked:
        return run_model_job(job, dict(zip(job.needs, perturbed)), self.task, self.loaded, self.run)


class RayExecutor:
    def __init__(self, address: str | None = None) -> None:
        self.address = address

    def run(self, plan: Plan, context: Context, sink: Sink) -> None:
        ray = _ray()
        started_here = not ray.is_initialized()
        if started_here:
            try:
                # RAY_ADDRESS, if set, names the cluster as --address does; neither: a local cluster.
                ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
            except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError...
                raise RobustxError(f"--executor ray: cannot reach the Ray cluster "
                                   f"{self.address or os.environ.get('RAY_ADDRESS') or '(local)'}: "
                                   f"{first_line(exc)}") from None
        try:
            self._run(ray, plan, context, sink)
        finally:
            if started_here:
                ray.shutdown()

    def _run(self, ray, plan: Plan, context: Context, sink: Sink) -> None:
        perturb = ray.remote(max_retries=RETRIES)(run_perturb_job)
        made = {job.shard.key: perturb.remote(job) for job in plan.perturb}
        pending: dict[Any, PerturbJob] = {ref: job for job, ref in zip(plan.perturb, made.values())}
        resources = ray.cluster_resources()
        gpu = context.run.device.startswith("cuda") or (context.run.device == "auto" and resources.get("GPU", 0) > 0)
        # Without num_cpus an actor holds no CPU while it lives, so perturbing tasks, which its
        # calls wait for, always find one; ``slots`` bounds how many models are loaded at once.
        scorer_class = ray.remote(max_restarts=RETRIES, max_task_retries=RETRIES, num_gpus=1 if gpu else 0)(_Scorer)
        slots = max(1, int(resources.get("GPU", 0) if gpu else resources.get("CPU", 1) // context.run.threads))
        waiting = plan.model_jobs()
        left: dict[str, int] = {}  # jobs not yet returned, per live actor's checkpoint
        actors: dict[str, Any] = {}
        calls: dict[Any, ModelJob] = {}

        def start() -> None:
            while waiting and len(actors) < slots:
                name = next(iter(waiting))
                jobs = waiting.pop(name)
                actors[name] = scorer_class.remote(jobs[0].checkpoint, context.task, context.run)
                left[name] = len(jobs)
                for job in jobs:
                    calls[actors[name].work.remote(job, *(made[key] for key in job.needs))] = job
                context.log(f"{name}: {describe(jobs)} on Ray")

        start()
        while pending or calls:
            (ref,), _ = ray.wait([*pending, *calls], num_returns=1)
            try:
                result = ray.get(ref)
            except ray.exceptions.RayError as exc:
                cause = getattr(exc, "cause", None)
                raise RobustxError(first_line(cause if isinstance(cause, RobustxError) else exc)) from None
            if ref in pending:
                sink.perturbed(pending.pop(ref), result)
                continue
            job = calls.pop(ref)
            deliver(sink, job, result)
            name = job.checkpoint.name
            left[name] -= 1
            if not left[name]:
                ray.kill(actors.pop(name))  # its model's memory goes to the next checkpoint
                start()
