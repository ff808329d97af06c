"""Extractive QA metrics: SQuAD v1.1 (XQuAD, TyDiQA-GoldP) and MLQA exact match and token F1.

Each is a port of the official script, kept step for step so the numbers are the same:

- SQuAD v1.1 ``evaluate-v1.1.py``, as XTREME vendors it in ``third_party/evaluate_squad.py``
  (google-research/xtreme @ 838c13b69daafb9328785d16caae2711e4012123): lowercase, drop
  ``string.punctuation``, drop the words a/an/the, collapse white space; F1 over white-space
  tokens. XTREME scores XQuAD and TyDiQA-GoldP with it in every language.
- MLQA ``mlqa_evaluation_v1.py`` (facebookresearch/MLQA @ 24bf470b2e68f2bfb93b2fd31c370bb8ee18d9ed,
  unchanged since its first commit 5ef5c73; XTREME's ``third_party/evaluate_mlqa.py`` is the
  same code): punctuation is every character whose Unicode category starts with P (in this
  Python's Unicode database, as the script builds it) plus ``string.punctuation``; the
  answer language's articles; zh answers are split into single CJK characters
  (U+4E00–U+9FA5) and white-space runs of anything else.

Per question: ``QAScore`` with exact match 0/1 and F1 in [0, 1], the maximum over the gold
answers. ``corpus_scores`` averages them ×100 with the scripts' left-to-right sums.
"""

from __future__ import annotations

import re
import string
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Callable, Iterable, Sequence

from robustx.errors import RobustxError

MLQA_LANGUAGES = ("en", "es", "hi", "vi", "de", "ar", "zh")

SQUAD_PUNCTUATION = frozenset(string.punctuation)

# Each script's remove_articles; hi and zh have none. The Arabic pattern is the script's own:
# its first branch ("\sال^") can never match, so every "ال" anywhere becomes a space.
_ARTICLES = {
    "en": re.compile(r"\b(a|an|the)\b"),
    "es": re.compile(r"\b(un|una|unos|unas|el|la|los|las)\b"),
    "vi": re.compile(r"\b(của|là|cái|chiếc|những)\b"),
    "de": re.compile(r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b"),
    "ar": re.compile(r"\sال^|ال"),
}
_CJK = re.compile(r"[\u4e00-\u9fa5]")


@dataclass(frozen=True)
class QAScore:
    """One question's exact match (0 or 1) and token F1, each the best over its gold answers."""

    exact_match: float
    f1: float


def squad_normalize(text: str) -> str:
    """SQuAD v1.1's ``normalize_answer``."""
    text = "".join(ch for ch in text.lower() if ch not in SQUAD_PUNCTUATION)
    return " ".join(_ARTICLES["en"].sub(" ", text).split())


def squad_score(prediction: str, answers: Sequence[str]) -> QAScore:
    """SQuAD v1.1 exact match and F1 of one prediction against its gold answers."""
    return _best(squad_normalize, prediction, answers)


@cache
def mlqa_punctuation() -> frozenset[str]:
    """MLQA's PUNCT set (built on first use: it scans every code point)."""
    return frozenset(ch for ch in map(chr, range(sys.maxunicode))
                     if unicodedata.category(ch).startswith("P")) | SQUAD_PUNCTUATION


def mixed_segmentation(text: str) -> list[str]:
    """MLQA's zh tokens: each CJK character or punctuation mark alone, other runs split on white space."""
    punctuation = mlqa_punctuation()
    tokens: list[str] = []
    run = ""
    for ch in text:
        if _CJK.search(ch) or ch in punctuation:
            tokens += run.split()
            run = ""
            tokens.append(ch)
        else:
            run += ch
    return tokens + run.split()


def mlqa_normalize(text: str, lang: str) -> str:
    """MLQA's ``normalize_answer`` for answer language ``lang``."""
    _check_language(lang)
    punctuation = mlqa_punctuation()
    text = "".join(ch for ch in text.lower() if ch not in punctuation)
    if lang in _ARTICLES:
        text = _ARTICLES[lang].sub(" ", text)
    tokens = mixed_segmentation(text) if lang == "zh" else text.split()
    return " ".join(t for t in tokens if t.strip() != "")


def mlqa_score(prediction: str, answers: Sequence[str], lang: str) -> QAScore:
    """MLQA exact match and F1 of one prediction against its gold answers in language ``lang``."""
    _check_language(lang)
    return _best(lambda text: mlqa_normalize(text, lang), prediction, answers)


def corpus_scores(scores: Iterable[QAScore]) -> QAScore:
    """Mean exact match and F1 ×100, summed in order as the scripts do (not ``sum``, which compensates on 3.12+)."""
    exact_match = f1 = 0.0
    total = 0
    for score in scores:
        exact_match += score.exact_match
        f1 += score.f1
        total += 1
    if total == 0:
        raise RobustxError("QA scores of an empty set of questions are undefined")
    return QAScore(100.0 * exact_match / total, 100.0 * f1 / total)


def _best(normalize: Callable[[str], str], prediction: str, answers: Sequence[str]) -> QAScore:
    """``metric_max_over_ground_truths`` for both metrics."""
    if not answers:
        raise RobustxError("a question without gold answers cannot be scored")
    predicted = normalize(prediction)
    golds = [normalize(answer) for answer in answers]
    return QAScore(float(max(predicted == gold for gold in golds)),
                   float(max(_token_f1(predicted.split(), gold.split()) for gold in golds)))


def _token_f1(predicted: list[str], gold: list[str]) -> float:
    same = sum((Counter(predicted) & Counter(gold)).values())
    if same == 0:
        return 0.0
    precision = 1.0 * same / len(predicted)
    recall = 1.0 * same / len(gold)
    return (2 * precision * recall) / (precision + recall)


def _check_language(lang: str) -> None:
    if lang not in MLQA_LANGUAGES:
        raise RobustxError(f"unknown MLQA answer language {lang!r}; MLQA scores {', '.join(MLQA_LANGUAGES)}")
