"""Benchmark tasks: declarative specs plus readers for each data layout.

Usage::

    task = TASKS.get("xnli")()
    data = task.load("de", DataSource(path="../shared/data", split="test"))

Entries are registered lazily by module path, so listing tasks reads no data.
"""

from robustx.registry import Registry
from robustx.tasks.base import DataSource, Example, Task, TaskData  # noqa: F401

TASKS: Registry[type[Task]] = Registry("task")
TASKS.register("xnli", "robustx.tasks.xnli:XNLI")
TASKS.register("pawsx", "robustx.tasks.pawsx:PAWSX")
TASKS.register("tatoeba", "robustx.tasks.tatoeba:Tatoeba")
TASKS.register("udpos", "robustx.tasks.udpos:UDPOS")
TASKS.register("panx", "robustx.tasks.panx:PANX")
TASKS.register("xquad", "robustx.tasks.xquad:XQuAD")
TASKS.register("mlqa", "robustx.tasks.mlqa:MLQA")
TASKS.register("tydiqa", "robustx.tasks.tydiqa:TyDiQA")
TASKS.register("bucc18", "robustx.tasks.bucc:BUCC18")
TASKS.register("demo", "robustx.demo.task:DemoRetrieval")
