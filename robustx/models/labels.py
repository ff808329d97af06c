"""Map a checkpoint's output labels to a task's labels by name, never by integer id.

Label orders differ between HF ``xnli``/MNLI (entailment, neutral, contradiction),
XTREME/jiant (contradiction, entailment, neutral) and ``roberta-large-mnli``
(contradiction, neutral, entailment): trusting ids silently scrambles accuracy.
"""

from __future__ import annotations

import re
from typing import Mapping

import numpy as np

from robustx.errors import RobustxError

# Common spellings of each task label in published checkpoints' id2label.
ALIASES: dict[str, tuple[str, ...]] = {
    "entailment": ("entailment", "entails", "entail", "entailed"),
    "neutral": ("neutral",),
    "contradiction": ("contradiction", "contradictory", "contradicts", "contradict"),
    "paraphrase": ("paraphrase", "is_paraphrase", "equivalent", "duplicate"),
    "not_paraphrase": ("not_paraphrase", "non_paraphrase", "no_paraphrase", "not_equivalent", "not_duplicate"),
}
_GENERIC = re.compile(r"^label_?\d+$")


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def label_index(
    id2label: Mapping[int, str], task_labels: tuple[str, ...], explicit: Mapping[str, str], checkpoint: str
) -> np.ndarray:
    """Return ``idx`` such that ``logits[:, idx]`` are in ``task_labels`` order.

    ``explicit`` (from the study file) maps checkpoint label names to task labels and
    takes precedence; its keys must be the checkpoint's labels. Generic names (``LABEL_0``) and
    unmatched or extra labels are refused.
    """
    if not id2label:
        raise RobustxError(f"checkpoint {checkpoint}: config has no id2label; add label_map to the study")
    bad_explicit = sorted(set(explicit.values()) - set(task_labels))
    if bad_explicit:
        raise RobustxError(
            f"checkpoint {checkpoint}: label_map targets unknown label {bad_explicit[0]!r}; task labels: {', '.join(task_labels)}"
        )
    names = [str(n) for _, n in sorted((int(i), n) for i, n in id2label.items())]
    stray = sorted(set(explicit) - set(names))
    if stray:
        raise RobustxError(
            f"checkpoint {checkpoint}: label_map key {stray[0]!r} is not one of its labels: {', '.join(names)}"
        )
    alias_to_task = {_norm(a): t for t in task_labels for a in ALIASES.get(t, (t,)) + (t,)}
    mapped: dict[str, int] = {}
    for idx, name in sorted((int(i), str(n)) for i, n in id2label.items()):
        if name in explicit:
            target = explicit[name]
        elif _GENERIC.match(_norm(name)):
            raise RobustxError(
                f"checkpoint {checkpoint}: label {name!r} (id {idx}) has no name to map; "
                f"add label_map = {{ {name} = \"<one of {', '.join(task_labels)}>\", ... }} to the study"
            )
        elif _norm(name) in alias_to_task:
            target = alias_to_task[_norm(name)]
        else:
            raise RobustxError(
                f"checkpoint {checkpoint}: label {name!r} (id {idx}) matches none of the task labels "
                f"{', '.join(task_labels)}; add a label_map to the study if it is one of them"
            )
        if target in mapped:
            raise RobustxError(
                f"checkpoint {checkpoint}: labels {id2label[mapped[target]]!r} and {name!r} both map to {target!r}"
            )
        mapped[target] = idx
    missing = [t for t in task_labels if t not in mapped]
    if missing:
        raise RobustxError(f"checkpoint {checkpoint}: no output for task label {missing[0]!r}; its labels: {dict(id2label)}")
    return np.array([mapped[t] for t in task_labels], dtype=np.int64)
