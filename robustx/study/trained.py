"""What the checkpoints trained on, against what the study scores (docs/structured.md,
"Training data a study must not score").

A checkpoint from ``robustx finetune`` lists its data sets in ``robustx.json`` (task, split,
language, roles). A study scoring the same task and split in a language the checkpoint trained
on (any language, on a parallel task) would score training data: it is refused, unless
``[data] heldout = true`` narrows the study to the examples every such checkpoint held out.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from robustx.errors import RobustxError
from robustx.study.spec import CheckpointSpec

_TRAINING_ROLES = ("intermediate", "target")
_SPLIT_ALIASES = {"validation": "dev"}  # hub naming -> the local layout's


def _split(entry: Mapping[str, Any]) -> str:
    """The split a data set was read from; checkpoints written before ``split`` was recorded
    carry it in the description ``task/split/lang`` of the task's own reader."""
    split = entry.get("split")
    if not split and entry.get("source") == "local":
        parts = str(entry.get("description", "")).split("/")
        if len(parts) == 3 and parts[0] == entry.get("task") and parts[2] == entry.get("lang"):
            split = parts[1]
    return _SPLIT_ALIASES.get(split or "", split or "")


def scored_training_data(task, split: str, languages: Sequence[str],
                         ckpt: CheckpointSpec) -> list[tuple[str, Mapping[str, Any]]]:
    """(data name, entry) of every data set ``ckpt`` trained on that the study would score."""
    hits = []
    for name, entry in (ckpt.metadata.get("data") or {}).items():
        if (entry.get("task") == task.name and _split(entry) == _SPLIT_ALIASES.get(split, split)
                and any(role in (entry.get("roles") or {}) for role in _TRAINING_ROLES)
                and (task.parallel or entry.get("lang") in languages)):
            hits.append((name, entry))
    return hits


def heldout_rows(task, split: str, languages: Sequence[str], checkpoints: Sequence[CheckpointSpec],
                heldout: bool, metadata: Callable[[str], dict], fail: Callable[[str, str], RobustxError]) -> tuple[str, ...]:
    """The rows a ``heldout`` study keeps (sorted), or () when it scores everything; refuses a
    study that would score a checkpoint's training data."""
    rows: set[str] | None = None
    for ckpt in checkpoints:
        hits = scored_training_data(task, split, languages, ckpt)
        if not hits:
            continue
        name, entry = hits[0]
        trained = f"{task.name} {split} {entry.get('lang')} (data {name!r})"
        if not heldout:
            why = " (a parallel task: every language translates the same items)" if task.parallel else ""
            raise fail("checkpoints", f"{ckpt.name} was trained on {trained}: this study would score its training "
                       f"data{why}; set [data] heldout = true to score only the examples it held out")
        kept = metadata(ckpt.path).get("heldout") or {}
        if any(n != kept.get("data") for n, _ in hits):
            raise fail("data.heldout", f"{ckpt.name} was trained on {trained} without holding examples of it out "
                       "(robustx.json has no 'heldout' for it): no example of this study is unseen by it")
        held = set(kept.get("rows", ()))
        rows = held if rows is None else rows & held
    if not heldout:
        return ()
    if rows is None:
        raise fail("data.heldout", f"no checkpoint was trained on {task.name} {split} data: there is nothing held "
                   "out to keep; remove heldout")
    if not rows:
        raise fail("data.heldout", "the checkpoints hold out no example in common")
    return tuple(sorted(rows))
