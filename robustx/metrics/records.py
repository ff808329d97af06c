"""Per-example prediction records and the corpus metric as a ratio of their summed parts.

A record is ``{"id", "gold", "pred", <parts>}``; the parts are the example's share of the task's
corpus metric (docs/structured.md). Every metric robustx reports is ``sum(num) / sum(den)``
over examples, so paired statistics resample examples and recompute it from the parts. The
scorer of a task is looked up by ``"<kind>:<metric>"``; classification and retrieval records
(``correct``) are the ones robustx has always written, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from robustx.registry import Registry
from robustx.tasks.base import Example, Task


@dataclass(frozen=True)
class Scorer:
    """``gold(task, example)``: what the record calls gold; ``parts(task, example, gold, pred)``: the
    metric parts; ``ratio(record) -> (num, den)``: the record's share of the corpus metric;
    ``parts``: the keys ``parts`` writes (a stored shard lacking one is recomputed); ``binary``: every
    record is right or wrong (num is 0 or 1, den is 1), so exact tests apply."""

    gold: Callable[[Task, Example], Any]
    score: Callable[[Task, Example, Any, Any], dict]
    ratio: Callable[[Mapping[str, Any]], tuple[float, float]]
    parts: tuple[str, ...]
    binary: bool = False
    label: str = "accuracy"  # what reports call the metric


    @property
    def keys(self) -> tuple[str, ...]:
        return ("id", "gold", "pred", *self.parts)


SCORERS: Registry[Scorer] = Registry("task metric")


def scorer_of(task: Task) -> Scorer:
    return SCORERS.get(f"{task.kind}:{task.metric}")


def records(task: Task, examples: Sequence[Example], predictions: Sequence[Any]) -> list[dict]:
    """One record per example, in order."""
    scorer = scorer_of(task)
    out = []
    for ex, pred in zip(examples, predictions, strict=True):
        gold = scorer.gold(task, ex)
        out.append({"id": ex.id, "gold": gold, "pred": pred, **scorer.score(task, ex, gold, pred)})
    return out


def corpus_value(ratios: Sequence[tuple[float, float]]) -> float:
    """sum(num) / sum(den); NaN without examples, 0 where nothing is counted (seqeval's rule for F1)."""
    if not ratios:
        return float("nan")
    num = sum(r[0] for r in ratios)
    den = sum(r[1] for r in ratios)
    return num / den if den else 0.0


def _label(task: Task, ex: Example) -> str | None:
    return ex.label


def _correct(task: Task, ex: Example, gold: Any, pred: Any) -> dict:
    return {"correct": pred == gold}


def _correct_ratio(record: Mapping[str, Any]) -> tuple[float, float]:
    return float(bool(record["correct"])), 1.0


def _tags(task: Task, ex: Example) -> list[str]:
    return [span.label for span in ex.spans]


def _token_parts(task: Task, ex: Example, gold: list[str], pred: list[str]) -> dict:
    from robustx.metrics.tagging import token_counts

    counts = token_counts(gold, pred)
    return {"right": counts.correct, "tokens": counts.total}


def _entity_parts(task: Task, ex: Example, gold: list[str], pred: list[str]) -> dict:
    from robustx.metrics.tagging import entity_counts

    counts = entity_counts(gold, pred)
    return {"tp": counts.true_positives, "predicted": counts.predicted, "expected": counts.gold}


def _answers(task: Task, ex: Example) -> list[str]:
    return [ex.fields[span.field][span.start:span.end] for span in ex.spans]


def _qa_parts(task: Task, ex: Example, gold: list[str], pred: str) -> dict:
    score = task.score_answer(ex, pred, gold)
    return {"em": score.exact_match, "f1": score.f1}


SCORERS.register("classification:accuracy", Scorer(_label, _correct, _correct_ratio, ("correct",), binary=True))
SCORERS.register("retrieval:accuracy", Scorer(_label, _correct, _correct_ratio, ("correct",), binary=True))
SCORERS.register("tagging:accuracy", Scorer(_tags, _token_parts, lambda r: (r["right"], r["tokens"]), ("right", "tokens"),
                                            label="token accuracy"))
SCORERS.register("tagging:f1", Scorer(_tags, _entity_parts, lambda r: (2 * r["tp"], r["predicted"] + r["expected"]),
                                      ("tp", "predicted", "expected"), label="entity F1"))
def _pair_parts(task: Task, ex: Example, gold: str | None, pred: str | None) -> dict:
    return {"tp": int(pred is not None and pred == gold), "predicted": int(pred is not None),
            "expected": int(gold is not None)}


SCORERS.register("mining:f1", Scorer(_label, _pair_parts, lambda r: (2 * r["tp"], r["predicted"] + r["expected"]),
                                     ("tp", "predicted", "expected"), label="mining F1"))
SCORERS.register("qa:f1", Scorer(_answers, _qa_parts, lambda r: (r["f1"], 1.0), ("em", "f1"), label="answer F1"))
