"""Score one checkpoint on one set of examples, per task kind (a registry, not an if-chain).

Each scorer returns one record per example: id, gold, prediction and correctness, so
that significance tests can later be paired over examples.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from robustx.models.checkpoint import LoadedModel
from robustx.registry import Registry
from robustx.study.spec import CheckpointSpec, RunSpec
from robustx.tasks.base import Example, Task, TaskData

Scorer = Callable[..., list[dict]]
SCORERS: Registry[Scorer] = Registry("task kind")
PREDICTION_KEYS = ("id", "gold", "pred", "correct")


def _records(examples: Sequence[Example], predictions: Sequence[str]) -> list[dict]:
    return [
        {"id": ex.id, "gold": ex.label, "pred": pred, "correct": pred == ex.label}
        for ex, pred in zip(examples, predictions)
    ]


@SCORERS.register("classification")
def score_classification(task: Task, loaded: LoadedModel, ckpt: CheckpointSpec, run: RunSpec,
                         examples: Sequence[Example], data: TaskData, label: str) -> list[dict]:
    from robustx.engine.predict import predict_logits

    texts = [tuple(ex.fields[f] for f in task.text_fields) for ex in examples]
    logits = predict_logits(loaded.model, loaded.tokenizer, texts, batch_size=run.batch_size,
                            max_length=run.max_length, device=loaded.device, prefix=ckpt.prefix,
                            label=label, progress=run.progress)
    best = logits[:, loaded.label_index].argmax(axis=1)
    return _records(examples, [task.labels[i] for i in best])


@SCORERS.register("retrieval")
def score_retrieval(task: Task, loaded: LoadedModel, ckpt: CheckpointSpec, run: RunSpec,
                    examples: Sequence[Example], data: TaskData, label: str) -> list[dict]:
    """Nearest target by cosine similarity, as XTREME scores Tatoeba (source -> English)."""
    from robustx.engine.predict import encode_sentences

    def encode(texts: Sequence[str], what: str) -> np.ndarray:
        return encode_sentences(loaded.model, loaded.tokenizer, texts, batch_size=run.batch_size,
                                max_length=run.max_length, device=loaded.device, prefix=ckpt.prefix,
                                pooling=ckpt.pooling, label=what, progress=run.progress)

    cache = loaded.target_embeddings
    key = (data.source, tuple(data.targets))
    if key not in cache:
        cache[key] = encode(data.targets, f"{label} (targets)")
    queries = encode([ex.fields[task.text_fields[0]] for ex in examples], label)
    best = (queries @ cache[key].T).argmax(axis=1)
    return _records(examples, [str(int(i)) for i in best])
