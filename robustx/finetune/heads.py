"""What each kind of training task adds on the shared encoder: a registry keyed by ``TrainTask.kind``.

A ``Head`` says which transformers class carries it, how a data set becomes token ids and
targets, how a batch of targets is padded, the loss, and how the dev set is scored with the
baselines a reader needs to see that the model learned:

- ``pair_classification`` (XNLI, PAWS-X): cross-entropy on the pair's label; dev accuracy beside
  the majority training label and the best constant.
- ``token_classification`` (UD-POS, PAN-X): cross-entropy on each word's first subword (the
  other subwords and special tokens are ignored, XTREME's labelling); a training sentence
  longer than ``max_length`` keeps its first window of whole words. Dev: token accuracy (and
  entity F1 for PAN-X) with the words labelled exactly as ``robustx run`` labels them, beside
  the most frequent training tag and the most frequent training tag of each word (the
  classic POS baseline; unseen words take the most frequent tag).
- ``span_extraction`` (XQuAD, MLQA, TyDiQA): cross-entropy on the start and end token of the
  first gold answer, in the first window of the context that holds it (no window holds it:
  the class token, as in SQuAD training); dev: F1 and exact match decoded exactly as
  ``robustx run`` decodes, beside the first sentence of the context as the answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from robustx.registry import Registry
from robustx.tasks.base import Example

IGNORE = -100  # torch's cross-entropy ignore_index: positions that carry no label


@dataclass(frozen=True)
class Head:
    auto_class: str
    problem_type: str | None
    encode: Callable[..., tuple[list[list[int]], list]]          # (tokenizer, data, max_length, prefix)
    batch_targets: Callable[[Sequence, int], Any]                # (targets of a batch, padded width) -> tensor
    loss: Callable[[Any, Any], Any]                              # (model output, targets) -> loss
    evaluate: Callable[..., dict]                                # (model, tokenizer, dev, train, run) -> dev record


HEADS: Registry[Head] = Registry("training head")
# The simple baseline each dev record holds beside the model's score, most specific first.
BASELINES = {"first_sentence_f1": "first sentence", "word_majority_f1": "most frequent tag per word",
             "word_majority_accuracy": "most frequent tag per word", "majority_accuracy": "majority label"}


def describe_dev(dev: dict) -> str:
    """``accuracy 0.5020 (majority label 0.3122)``: the dev score beside its baseline, for logs."""
    metric = dev.get("metric", "accuracy")
    key = next((k for k in BASELINES if k in dev and k.endswith(metric)), None)
    baseline = f" ({BASELINES[key]} {dev[key]:.4f})" if key else ""
    return f"{metric} {dev.get(metric, float('nan')):.4f}{baseline}"


# -- sentence-pair classification --------------------------------------------------------------

def _encode_pairs(tokenizer, data, max_length: int, prefix: str) -> tuple[list[list[int]], list[int]]:
    from robustx.engine.predict import tokenize

    return tokenize(tokenizer, data.texts, max_length, prefix), list(data.labels)


def _pair_targets(targets: Sequence[int], width: int):
    import torch

    return torch.tensor(list(targets), dtype=torch.long)


def _logits_loss(output, targets):
    import torch

    logits = output.logits
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                             ignore_index=IGNORE)


def _evaluate_pairs(model, tokenizer, dev, train, run) -> dict:
    import numpy as np

    from robustx.engine.predict import predict_logits

    model.eval()
    logits = predict_logits(model, tokenizer, dev.texts, batch_size=run.dev_batch_size,
                            max_length=run.target_hp.max_length, device=run.device, prefix=run.prefix)
    accuracy = float(np.mean(logits.argmax(axis=1) == np.asarray(dev.labels)))
    labels = train.task.labels
    majority = max(range(len(labels)), key=lambda i: (train.labels.count(i), -i))
    best_constant = max(dev.labels.count(i) for i in range(len(labels))) / len(dev)
    return {"data": dev.name, "examples": len(dev), "accuracy": round(accuracy, 6),
            "majority_label": labels[majority],
            "majority_accuracy": round(sum(1 for y in dev.labels if y == majority) / len(dev), 6),
            "best_constant_accuracy": round(best_constant, 6)}


# -- token classification --------------------------------------------------------------------------

def _encode_tokens(tokenizer, data, max_length: int, prefix: str) -> tuple[list[list[int]], list[list[int]]]:
    from robustx.engine.tagging import windows

    first: dict[int, Any] = {}
    for window in windows(tokenizer, data.texts, max_length, prefix):
        first.setdefault(window.sentence, window)
    ids, targets = [], []
    for s, tags in enumerate(data.labels):
        window = first[s]
        target = [IGNORE] * len(window.ids)
        for w, pos in zip(window.words, window.positions):
            target[pos] = tags[w]
        ids.append(window.ids)
        targets.append(target)
    return ids, targets


def _token_targets(targets: Sequence[Sequence[int]], width: int):
    import torch

    return torch.tensor([list(t) + [IGNORE] * (width - len(t)) for t in targets], dtype=torch.long)


def _evaluate_tokens(model, tokenizer, dev, train, run) -> dict:
    import numpy as np

    from robustx.engine.predict import token_logits_of_ids
    from robustx.engine.tagging import windows, word_labels
    from robustx.metrics.tagging import entity_counts, entity_scores

    model.eval()
    labels = dev.task.labels
    parts = windows(tokenizer, dev.texts, run.target_hp.max_length, run.prefix)
    logits = token_logits_of_ids(model, [w.ids for w in parts], tokenizer.pad_token_id,
                                 batch_size=run.dev_batch_size, device=run.device)
    predicted = word_labels(parts, logits, np.arange(len(labels)), labels, [len(words) for words in dev.texts])
    gold = [[labels[t] for t in tags] for tags in dev.labels]
    tokens = sum(len(g) for g in gold)

    def token_accuracy(pred: Sequence[Sequence[str]]) -> float:
        return round(sum(p == g for ps, gs in zip(pred, gold) for p, g in zip(ps, gs)) / tokens, 6)

    tag_counts = Counter(labels[t] for tags in train.labels for t in tags)
    majority = max(sorted(tag_counts), key=lambda t: tag_counts[t])
    by_word: dict[str, Counter] = {}
    for words, tags in zip(train.texts, train.labels):
        for word, tag in zip(words, tags):
            by_word.setdefault(word, Counter())[labels[tag]] += 1
    per_word = [[max(sorted(by_word[w]), key=lambda t: by_word[w][t]) if w in by_word else majority for w in words]
                for words in dev.texts]
    record = {"data": dev.name, "examples": len(dev), "tokens": tokens, "accuracy": token_accuracy(predicted),
              "majority_label": majority, "majority_accuracy": token_accuracy([[majority] * len(g) for g in gold]),
              "word_majority_accuracy": token_accuracy(per_word)}
    if dev.task.metric == "f1":
        def f1(pred):
            return round(entity_scores(entity_counts(g, p) for g, p in zip(gold, pred)).f1 / 100, 6)

        record.update(metric="f1", f1=f1(predicted), word_majority_f1=f1(per_word))
    return record


# -- extractive QA ---------------------------------------------------------------------------------

def _encode_spans(tokenizer, data, max_length: int, prefix: str) -> tuple[list[list[int]], list[tuple[int, int]]]:
    from robustx.engine.qa import features

    feats = features(tokenizer, [prefix + q for q, _ in data.texts], [c for _, c in data.texts], max_length)
    chosen: dict[int, tuple[list[int], tuple[int, int]]] = {}
    for feat in feats:
        start, end = data.labels[feat.example][0]  # the first gold answer
        inside = [i for i, o in enumerate(feat.offsets) if o is not None and o[0] < end and start < o[1]]
        if inside:
            chosen.setdefault(feat.example, (feat.ids, (inside[0], inside[-1])))
    for feat in feats:  # no window holds the answer: the class token, as in SQuAD training
        chosen.setdefault(feat.example, (feat.ids, (0, 0)))
    return [chosen[i][0] for i in range(len(data))], [chosen[i][1] for i in range(len(data))]


def _span_targets(targets: Sequence[tuple[int, int]], width: int):
    import torch

    return torch.tensor([list(t) for t in targets], dtype=torch.long)


def _span_loss(output, targets):
    import torch

    return (torch.nn.functional.cross_entropy(output.start_logits, targets[:, 0])
            + torch.nn.functional.cross_entropy(output.end_logits, targets[:, 1])) / 2


def _evaluate_spans(model, tokenizer, dev, train, run) -> dict:
    from robustx.engine.predict import span_logits_of_ids
    from robustx.engine.qa import answers, features
    from robustx.metrics.baselines import first_sentence
    from robustx.metrics.qa import corpus_scores

    model.eval()
    task = _task(dev.task.name)
    contexts = [c for _, c in dev.texts]
    feats = features(tokenizer, [run.prefix + q for q, _ in dev.texts], contexts, run.target_hp.max_length)
    logits = span_logits_of_ids(model, [f.ids for f in feats], tokenizer.pad_token_id,
                                batch_size=run.dev_batch_size, device=run.device)
    predicted = answers(feats, logits, contexts)
    gold = [[c[s:e] for s, e in spans] for (_, c), spans in zip(dev.texts, dev.labels)]
    examples = [Example(i, dev.lang, {"question": q, "context": c}, field_langs=task.field_languages(dev.lang))
                for i, (q, c) in zip(dev.ids, dev.texts)]

    def scores(preds: Sequence[str]):
        return corpus_scores(task.score_answer(ex, p, g) for ex, p, g in zip(examples, preds, gold))

    model_scores, baseline = scores(predicted), scores([first_sentence(c) for c in contexts])
    return {"data": dev.name, "examples": len(dev), "metric": "f1", "f1": round(model_scores.f1 / 100, 6),
            "exact_match": round(model_scores.exact_match / 100, 6),
            "first_sentence_f1": round(baseline.f1 / 100, 6)}


def _task(name: str):
    from robustx.tasks import TASKS

    return TASKS.get(name)()


HEADS.register("pair_classification", Head("AutoModelForSequenceClassification", "single_label_classification",
                                           _encode_pairs, _pair_targets, _logits_loss, _evaluate_pairs))
HEADS.register("token_classification", Head("AutoModelForTokenClassification", None, _encode_tokens,
                                            _token_targets, _logits_loss, _evaluate_tokens))
HEADS.register("span_extraction", Head("AutoModelForQuestionAnswering", None, _encode_spans, _span_targets,
                                       _span_loss, _evaluate_spans))
