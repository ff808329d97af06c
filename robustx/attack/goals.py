"""Goal functions: from a model output to the score an attack maximizes and its success test.

A model output is a row of class probabilities in ``task.labels`` order (classification) or
of similarities to the target pool (retrieval). Registered by name; each says the task kinds
it serves, so a study asking for a goal its task cannot have fails at validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from robustx.errors import RobustxError
from robustx.registry import Registry
from robustx.tasks.base import Example, Task


class Outcome(NamedTuple):
    """The goal's view of one scored input: higher ``score`` is closer to success."""

    score: float
    pred: str
    success: bool


@dataclass(frozen=True)
class Goal:
    """``outcome(output, example) -> Outcome``; ``kinds``: the task kinds it serves."""

    kinds: tuple[str, ...]
    make: Callable[[Task, str], Callable[[np.ndarray, Example], Outcome]]


GOALS: Registry[Goal] = Registry("goal")


def _untargeted(task: Task, target: str) -> Callable[[np.ndarray, Example], Outcome]:
    if task.kind == "retrieval":
        def retrieval(sims: np.ndarray, example: Example) -> Outcome:
            gold = int(example.label)
            best = int(sims.argmax())
            others = np.delete(sims, gold)
            return Outcome(float(others.max() - sims[gold]) if others.size else 0.0, str(best), best != gold)
        return retrieval

    labels = task.labels

    def classification(probs: np.ndarray, example: Example) -> Outcome:
        pred = labels[int(probs.argmax())]
        return Outcome(1.0 - float(probs[labels.index(example.label)]), pred, pred != example.label)
    return classification


def _targeted(task: Task, target: str) -> Callable[[np.ndarray, Example], Outcome]:
    labels = task.labels
    if target not in labels:
        raise RobustxError(f"target {target!r} is not a {task.name} label; labels: {', '.join(labels)}")
    index = labels.index(target)

    def classification(probs: np.ndarray, example: Example) -> Outcome:
        pred = labels[int(probs.argmax())]
        return Outcome(float(probs[index]), pred, pred == target)
    return classification


GOALS.register("untargeted", Goal(("classification", "retrieval"), _untargeted))
GOALS.register("targeted", Goal(("classification",), _targeted))


def goal_for(name: str, task: Task, target: str = "") -> Callable[[np.ndarray, Example], Outcome]:
    """The outcome function of goal ``name`` for ``task``; a RobustxError if it cannot serve it."""
    goal = GOALS.get(name)
    if task.kind not in goal.kinds:
        raise RobustxError(f"goal {name!r} needs a {' or '.join(goal.kinds)} task; {task.name} is {task.kind}")
    if target and name != "targeted":
        raise RobustxError(f"'target' is for goal = \"targeted\", not {name!r}")
    if name == "targeted" and not target:
        raise RobustxError("goal \"targeted\" needs 'target', a label name")
    return goal.make(task, target)
