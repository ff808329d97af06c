"""Predict one checkpoint's answers for a list of inputs, per task kind (a registry, not an if-chain).

An input is the tuple of an example's text fields; a predictor returns one answer (a label
name, or for retrieval the index of the chosen target) per input, in order. Records pair
them back with examples, so that significance tests can later be paired over examples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from robustx.models.checkpoint import LoadedModel
from robustx.registry import Registry
from robustx.study.spec import CheckpointSpec, RunSpec
from robustx.tasks.base import Example, Task, TaskData

Inputs = Sequence[tuple[str, ...]]


@dataclass(frozen=True)
class Predictor:
    """``predict(task, loaded, ckpt, run, inputs, data, label) -> answers``. ``per_language``: an
    answer depends on the language's data (retrieval's target pool), so inputs of different
    languages are predicted apart; otherwise all of a job's inputs go in one pass (``data`` None)."""

    predict: Callable[..., list[str]]
    per_language: bool = False


PREDICTORS: Registry[Predictor] = Registry("task kind")
PREDICTION_KEYS = ("id", "gold", "pred", "correct")


def inputs_of(task: Task, example: Example) -> tuple[str, ...]:
    return tuple(example.fields[f] for f in task.text_fields)


def records(examples: Sequence[Example], predictions: Sequence[str]) -> list[dict]:
    return [
        {"id": ex.id, "gold": ex.label, "pred": pred, "correct": pred == ex.label}
        for ex, pred in zip(examples, predictions, strict=True)
    ]


def predict_classification(task: Task, loaded: LoadedModel, ckpt: CheckpointSpec, run: RunSpec,
                           inputs: Inputs, data: TaskData | None, label: str) -> list[str]:
    from robustx.engine.predict import predict_logits

    logits = predict_logits(loaded.model, loaded.tokenizer, inputs, batch_size=run.batch_size,
                            max_length=run.max_length, device=loaded.device, prefix=ckpt.prefix,
                            label=label, progress=run.progress)
    best = logits[:, loaded.label_index].argmax(axis=1)
    return [task.labels[i] for i in best]


def predict_retrieval(task: Task, loaded: LoadedModel, ckpt: CheckpointSpec, run: RunSpec,
                      inputs: Inputs, data: TaskData, label: str) -> list[str]:
    """Nearest target by cosine similarity, as XTREME scores Tatoeba (source -> English)."""
    from robustx.engine.predict import encode_sentences

    queries = encode_sentences(loaded.model, loaded.tokenizer, [text for text, *_ in inputs],
                               batch_size=run.batch_size, max_length=run.max_length, device=loaded.device,
                               prefix=ckpt.prefix, pooling=ckpt.pooling, label=label, progress=run.progress)
    best = (queries @ target_embeddings(loaded, ckpt, run, data, label).T).argmax(axis=1)
    return [str(int(i)) for i in best]


def target_embeddings(loaded: LoadedModel, ckpt: CheckpointSpec, run: RunSpec, data: TaskData, label: str) -> np.ndarray:
    """The retrieval target pool of ``data`` embedded once per model, for every condition and attack."""
    from robustx.engine.predict import encode_sentences

    key = (data.source, tuple(data.targets))
    if key not in loaded.target_embeddings:
        loaded.target_embeddings[key] = encode_sentences(
            loaded.model, loaded.tokenizer, data.targets, batch_size=run.batch_size, max_length=run.max_length,
            device=loaded.device, prefix=ckpt.prefix, pooling=ckpt.pooling, label=f"{label} (targets)",
            progress=run.progress)
    return loaded.target_embeddings[key]


PREDICTORS.register("classification", Predictor(predict_classification))
PREDICTORS.register("retrieval", Predictor(predict_retrieval, per_language=True))
