"""The default executor: every job in this process, in plan order, one model load per checkpoint."""

from __future__ import annotations

import time

from robustx.errors import RobustxError
from robustx.models.checkpoint import load_model
from robustx.runner.executors import Context, Sink, deliver, describe
from robustx.runner.jobs import run_model_job, run_perturb_job
from robustx.runner.plan import Plan


class LocalExecutor:
    def __init__(self, address: str | None = None) -> None:
        # An address names a cluster: nothing local to connect to.
        if address:
            raise RobustxError("--address is for --executor ray; the local executor runs in this process")

    def run(self, plan: Plan, context: Context, sink: Sink) -> None:
        import torch

        from robustx.engine.predict import resolve_device
        from robustx.tasks import TASKS

        torch.set_num_threads(context.run.threads)
        made = {}
        for job in plan.perturb:
            made[job.shard.key] = run_perturb_job(job)
            sink.perturbed(job, made[job.shard.key])
        task, device = TASKS.get(context.task)(), resolve_device(context.run.device)
        for name, jobs in plan.model_jobs().items():
            started = time.perf_counter()
            loaded = load_model(jobs[0].checkpoint, task, device, context.run.dtype)
            context.log(f"{name}: loaded in {time.perf_counter() - started:.1f}s; {describe(jobs)} on {device} "
                        f"in {context.run.dtype}")
            for job in jobs:
                deliver(sink, job, run_model_job(job, {key: made[key] for key in job.needs}, task, loaded, context.run))
