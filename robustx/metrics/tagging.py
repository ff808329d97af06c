"""Tagging metrics: POS token accuracy and NER entity-level precision / recall / F1.

Per sentence they return counts (``TokenCounts``, ``EntityCounts``) and a corpus number is
recomputed from the summed counts, so a paired bootstrap can resample sentences.

Entities follow seqeval 1.2.2's default mode (``seqeval.metrics.sequence_labeling``, the
conlleval conventions that XTREME's ``run_tag.py`` and ``evaluate.py`` use for PAN-X): a
label's first character is its prefix and the rest after the first ``-`` its type; an
``I-`` after ``O`` or after another type starts a new entity, a change of type ends one,
``E-``/``S-`` are read too; an entity is (type, first token, last token) and counts as
correct only when gold has exactly it. seqeval scores a corpus as one sequence with an
``O`` between sentences; for BIO(ES) labels no entity crosses that ``O``, so summed
per-sentence counts give seqeval's numbers exactly.

XTREME's ``evaluate.py`` also scores UD-POS with seqeval's F1 (not token accuracy), which
reads UPOS tags as chunks (``NOUN`` = prefix ``N``, type ``OUN``; ``SCONJ`` = a single-token
``S``). Those chunks can run across sentence boundaries (``X`` at the end of one sentence and
the start of the next make one chunk), so ``seqeval_scores`` computes it on the whole corpus
only, with no per-sentence parts.

Corpus numbers are percentages (×100), as ``evaluate.py`` reports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from robustx.errors import RobustxError

PREFIXES = ("B", "I", "E", "S")
_TYPED_PREFIXES = tuple(p + "-" for p in PREFIXES)


@dataclass(frozen=True)
class TokenCounts:
    """One sentence's part of token accuracy."""

    correct: int
    total: int


@dataclass(frozen=True)
class EntityCounts:
    """One sentence's part of entity P/R/F1: exactly matched, predicted and gold entities."""

    true_positives: int
    predicted: int
    gold: int


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1, in percent."""

    precision: float
    recall: float
    f1: float


def token_counts(gold: Sequence[str], predicted: Sequence[str]) -> TokenCounts:
    """Tokens whose predicted tag equals the gold tag, and tokens, of one sentence."""
    _check_lengths(gold, predicted)
    return TokenCounts(sum(g == p for g, p in zip(gold, predicted)), len(gold))


def token_accuracy(parts: Iterable[TokenCounts]) -> float:
    """Corpus token accuracy in percent: summed correct over summed tokens."""
    correct = total = 0
    for part in parts:
        correct += part.correct
        total += part.total
    if total == 0:
        raise RobustxError("token accuracy of a corpus without tokens is undefined")
    return 100.0 * correct / total


def entities(tags: Sequence[str]) -> set[tuple[str, int, int]]:
    """The entities of one sentence of BIO(ES) tags: (type, first token, last token), as seqeval reads them."""
    for tag in tags:
        if not _is_entity_tag(tag):
            raise RobustxError(f"tag {tag!r} is not a BIO tag (O, B-TYPE, I-TYPE; seqeval also reads E- and S-)")
    return _chunks(tags)


def entity_counts(gold: Sequence[str], predicted: Sequence[str]) -> EntityCounts:
    """One sentence's true positives, predicted entities and gold entities."""
    _check_lengths(gold, predicted)
    gold_entities, predicted_entities = entities(gold), entities(predicted)
    return EntityCounts(len(gold_entities & predicted_entities), len(predicted_entities), len(gold_entities))


def entity_scores(parts: Iterable[EntityCounts]) -> PRF:
    """Corpus entity precision, recall and F1 (micro over types) from summed sentence counts."""
    tp = predicted = gold = 0
    for part in parts:
        tp += part.true_positives
        predicted += part.predicted
        gold += part.gold
    return _prf(tp, predicted, gold)


def seqeval_scores(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> PRF:
    """seqeval's default-mode micro P/R/F1 of a whole corpus, for any tag set (XTREME's UD-POS number).

    The sentences are joined with an ``O`` between them, as seqeval does; for BIO tags this
    equals ``entity_scores`` of the per-sentence counts.
    """
    if len(gold) != len(predicted):
        raise RobustxError(f"gold has {len(gold)} sentences but the predictions have {len(predicted)}")
    gold_flat: list[str] = []
    predicted_flat: list[str] = []
    for i, (g, p) in enumerate(zip(gold, predicted)):
        _check_lengths(g, p, f"sentence {i}: ")
        gold_flat += [*g, "O"]
        predicted_flat += [*p, "O"]
    for tag in gold_flat + predicted_flat:
        if not tag:
            raise RobustxError("an empty tag has no prefix; every token needs a tag")
    gold_chunks, predicted_chunks = _chunks(gold_flat), _chunks(predicted_flat)
    return _prf(len(gold_chunks & predicted_chunks), len(predicted_chunks), len(gold_chunks))


def _prf(tp: int, predicted: int, gold: int) -> PRF:
    """seqeval's arithmetic (an undefined ratio is 0), in percent."""
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    denominator = precision + recall
    f1 = 2.0 * precision * recall / denominator if denominator else 0.0
    return PRF(100 * precision, 100 * recall, 100 * f1)


def _check_lengths(gold: Sequence[str], predicted: Sequence[str], where: str = "") -> None:
    if len(gold) != len(predicted):
        raise RobustxError(f"{where}gold has {len(gold)} tags but the prediction has {len(predicted)}")


def _is_entity_tag(tag: str) -> bool:
    """What seqeval reads without a warning: O, a bare prefix, or prefix-TYPE."""
    return tag == "O" or tag in PREFIXES or tag.startswith(_TYPED_PREFIXES)


def _chunks(tags: Sequence[str]) -> set[tuple[str, int, int]]:
    """seqeval's ``get_entities`` (default mode) of one sequence; tags must be non-empty."""
    chunks = set()
    prev_prefix, prev_type, begin = "O", "", 0
    for i, tag in enumerate([*tags, "O"]):
        prefix = tag[0]
        type_ = tag[1:].split("-", maxsplit=1)[-1] or "_"
        if _ends(prev_prefix, prefix, prev_type, type_):
            chunks.add((prev_type, begin, i - 1))
        if _starts(prev_prefix, prefix, prev_type, type_):
            begin = i
        prev_prefix, prev_type = prefix, type_
    return chunks


def _ends(prev_prefix: str, prefix: str, prev_type: str, type_: str) -> bool:
    """seqeval's ``end_of_chunk``: a chunk ended at the previous token."""
    return (prev_prefix in ("E", "S")
            or (prev_prefix in ("B", "I") and prefix in ("B", "S", "O"))
            or (prev_prefix not in ("O", ".") and prev_type != type_))


def _starts(prev_prefix: str, prefix: str, prev_type: str, type_: str) -> bool:
    """seqeval's ``start_of_chunk``: a chunk starts at this token."""
    return (prefix in ("B", "S")
            or (prev_prefix in ("E", "S", "O") and prefix in ("E", "I"))
            or (prefix not in ("O", ".") and prev_type != type_))
