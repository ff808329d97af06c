"""Predict one checkpoint's answers for a list of inputs, per task kind (a registry, not an if-chain).

A predictor says what an example's model input is (``inputs``: its text fields, or a tagging
example's words) and returns one answer per input, in order: a label name, for retrieval the
index of the chosen target, for tagging the words' tags, for QA the answer text. Records
(``robustx.metrics.records``) pair them back with examples, so that significance tests are
paired over examples.
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


def inputs_of(task: Task, example: Example) -> tuple[str, ...]:
    """The example's text fields, in the task's order."""
    return tuple(example.fields[f] for f in task.text_fields)


def words_of(task: Task, example: Example) -> tuple[str, ...]:
    """A tagging example's words: the texts of its token spans (a perturbed sentence's carried spans)."""
    return tuple(example.fields[s.field][s.start:s.end] for s in example.spans)


@dataclass(frozen=True)
class Predictor:
    """``predict(task, loaded, ckpt, run, inputs, data, label) -> answers`` for inputs made by
    ``inputs(task, example)``. ``per_language``: an answer depends on the language's data
    (retrieval's target pool), so inputs of different languages are predicted apart; otherwise
    all of a job's inputs go in one pass (``data`` None)."""

    predict: Callable[..., list]
    per_language: bool = False
    inputs: Callable[[Task, Example], tuple[str, ...]] = inputs_of
    # An answer depends on every input of its set (mining's margins): each shard is predicted whole,
    # never merged with another condition's inputs.
    whole_set: bool = False


PREDICTORS: Registry[Predictor] = Registry("task kind")


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
    queries = _embed(loaded, ckpt, run, [text for text, *_ in inputs], label)
    best = (queries @ target_embeddings(loaded, ckpt, run, data, label).T).argmax(axis=1)
    return [str(int(i)) for i in best]


def target_embeddings(loaded: LoadedModel, ckpt: CheckpointSpec, run: RunSpec, data: TaskData, label: str) -> np.ndarray:
    """The retrieval target pool of ``data`` embedded once per model, for every condition and attack."""
    key = (data.source, tuple(data.targets))
    if key not in loaded.clean_cache:
        loaded.clean_cache[key] = _embed(loaded, ckpt, run, data.targets, f"{label} (targets)")
    return loaded.clean_cache[key]


def predict_tagging(task: Task, loaded: LoadedModel, ckpt: CheckpointSpec, run: RunSpec,
                    inputs: Inputs, data: TaskData | None, label: str) -> list[list[str]]:
    """Each word's tag from its first subword (robustx.engine.tagging)."""
    from robustx.engine.predict import token_logits_of_ids
    from robustx.engine.tagging import windows, word_labels

    parts = windows(loaded.tokenizer, inputs, run.max_length, ckpt.prefix)
    logits = token_logits_of_ids(loaded.model, [w.ids for w in parts], loaded.tokenizer.pad_token_id,
                                 batch_size=run.batch_size, device=loaded.device, label=label, progress=run.progress)
    return word_labels(parts, logits, loaded.label_index, task.labels, [len(words) for words in inputs])


def predict_qa(task: Task, loaded: LoadedModel, ckpt: CheckpointSpec, run: RunSpec,
               inputs: Inputs, data: TaskData | None, label: str) -> list[str]:
    """The best answer span of each (question, context) (robustx.engine.qa)."""
    from robustx.engine.predict import span_logits_of_ids
    from robustx.engine.qa import answers, features

    questions = [ckpt.prefix + question for question, _ in inputs]
    contexts = [context for _, context in inputs]
    feats = features(loaded.tokenizer, questions, contexts, run.max_length)
    logits = span_logits_of_ids(loaded.model, [f.ids for f in feats], loaded.tokenizer.pad_token_id,
                                batch_size=run.batch_size, device=loaded.device, label=label, progress=run.progress)
    return answers(feats, logits, contexts)


def predict_mining(task: Task, loaded: LoadedModel, ckpt: CheckpointSpec, run: RunSpec,
                   inputs: Inputs, data: TaskData, label: str) -> list[str | None]:
    """Each source sentence's mined English id (None: not mined) by XTREME's ratio-margin mining,
    at the margin threshold that maximizes F1 on the language's clean set (XTREME picks it on
    dev): a perturbed set is mined at its clean set's operating point (docs/structured.md)."""
    from robustx.metrics.mining import Sentences, extract, mine

    texts = [text for text, *_ in inputs]
    ids = [str(i) for i in range(len(texts))]
    targets = Sentences(data.target_ids, data.targets, target_embeddings(loaded, ckpt, run, data, label))
    candidates = mine(Sentences(ids, texts, _embed(loaded, ckpt, run, texts, label)), targets)
    mined = dict(extract(candidates, _clean_threshold(task, loaded, ckpt, run, data, targets, label)))
    return [mined.get(i) for i in ids]


def _embed(loaded: LoadedModel, ckpt: CheckpointSpec, run: RunSpec, texts: Sequence[str], label: str) -> np.ndarray:
    """Sentence embeddings as the checkpoint's study settings make them (retrieval, mining)."""
    from robustx.engine.predict import encode_sentences

    return encode_sentences(loaded.model, loaded.tokenizer, texts, batch_size=run.batch_size, max_length=run.max_length,
                            device=loaded.device, prefix=ckpt.prefix, pooling=ckpt.pooling, label=label,
                            progress=run.progress)


def _clean_threshold(task: Task, loaded: LoadedModel, ckpt: CheckpointSpec, run: RunSpec, data: TaskData, targets,
                     label: str) -> float:
    """The F1-maximizing margin on ``data``'s clean sentences and gold pairs, once per model and set."""
    from robustx.metrics.mining import Sentences, best_threshold, mine

    key = ("threshold", data.source, tuple(ex.id for ex in data.examples))
    if key not in loaded.clean_cache:
        texts = [ex.fields[task.text_fields[0]] for ex in data.examples]
        clean = Sentences([ex.id for ex in data.examples], texts, _embed(loaded, ckpt, run, texts, f"{label} (clean)"))
        gold = {(ex.id, ex.label) for ex in data.examples if ex.label is not None}
        loaded.clean_cache[key] = best_threshold(mine(clean, targets), gold)
    return loaded.clean_cache[key]


PREDICTORS.register("classification", Predictor(predict_classification))
PREDICTORS.register("retrieval", Predictor(predict_retrieval, per_language=True))
PREDICTORS.register("tagging", Predictor(predict_tagging, inputs=words_of))
PREDICTORS.register("qa", Predictor(predict_qa))
PREDICTORS.register("mining", Predictor(predict_mining, per_language=True, whole_set=True))
