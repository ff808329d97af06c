"""Simple baselines on a study's own clean data, so a reader sees each language's clean score
beside what no model reaches (docs/structured.md, "Baselines").

A baseline predicts from the examples alone, without a model or training data, and is scored by
the task's own scorer, so its number is the same metric as the clean score beside it. Registered
by ``"<kind>:<metric>"`` like the scorers; a task without one (classification, retrieval: their
summaries keep their bytes; NER, where a constant scores 0 F1; mining) gets none.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from robustx.registry import Registry
from robustx.tasks.base import Example, Task, TaskData

# A sentence ends at a full stop, question or exclamation mark of Latin, CJK, Devanagari, Arabic or
# Urdu script, followed by optional space.
_SENTENCE_END = re.compile(r"(?<=[.!?。！？।؟۔])\s*")


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text, maxsplit=1)[0]


@dataclass(frozen=True)
class Baseline:
    name: str                                                          # what reports call it
    predict: Callable[[Task, Sequence[Example]], list[Any]]            # one prediction per example


BASELINES: Registry[Baseline] = Registry("baseline")


def _most_frequent_tag(task: Task, examples: Sequence[Example]) -> list[list[str]]:
    counts = Counter(span.label for ex in examples for span in ex.spans)
    tag = min(counts, key=lambda t: (-counts[t], t)) if counts else ""  # ties: the first by name
    return [[tag] * len(ex.spans) for ex in examples]


def _first_sentence_answer(task: Task, examples: Sequence[Example]) -> list[str]:
    return [first_sentence(ex.fields["context"]) for ex in examples]


BASELINES.register("tagging:accuracy", Baseline("the language's most frequent tag", _most_frequent_tag))
BASELINES.register("qa:f1", Baseline("first sentence as answer", _first_sentence_answer))


def baseline_scores(task: Task, data: Mapping[str, TaskData]) -> dict[str, Any] | None:
    """``{"name", "scores": {lang: value}}`` of the task's baseline on each language's clean
    examples (the value as the summary's clean scores: a fraction), or None without one."""
    from robustx.metrics.records import corpus_value, records, scorer_of

    key = f"{task.kind}:{task.metric}"
    if key not in BASELINES:
        return None
    baseline, scorer = BASELINES.get(key), scorer_of(task)
    scores = {}
    for lang, d in data.items():
        recs = records(task, d.examples, baseline.predict(task, d.examples))
        scores[lang] = corpus_value([scorer.ratio(r) for r in recs])
    return {"name": baseline.name, "scores": scores}
