"""Extractive QA decoding as XTREME's SQuAD scripts do it, over a fast tokenizer's windows.

A question and context become overlapping windows (``truncation="only_second"``, overlap
``max_length // 3``: XTREME's doc_stride 128 of max_seq_length 384); the question keeps at
most 64 tokens (``max_query_length``), and at most half the window, so that every window holds
more context than the overlap. In every window the 20 best start and end logits of
context tokens (``n_best_size``) form the candidate spans of at most 30 tokens
(``max_answer_length``); the answer is the span of highest start + end logit over all of an
example's windows, cut from the context by the tokens' character offsets (SQuAD v1.1: every
question has an answer, so there is no null span).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from robustx.errors import RobustxError

MAX_QUERY_TOKENS = 64
N_BEST = 20
MAX_ANSWER_TOKENS = 30


@dataclass(frozen=True)
class Feature:
    """One window: token ids, the example it belongs to, and each token's context character span
    (None for question and special tokens)."""

    ids: list[int]
    example: int
    offsets: list[tuple[int, int] | None]


def features(tokenizer, questions: Sequence[str], contexts: Sequence[str], max_length: int) -> list[Feature]:
    if not getattr(tokenizer, "is_fast", False):
        raise RobustxError("extractive QA needs a fast tokenizer (character offsets); this checkpoint's is not")
    limit = min(MAX_QUERY_TOKENS, max_length // 2 - 2)
    questions = [_cut_question(tokenizer, q, limit) for q in questions]
    enc = tokenizer(list(questions), list(contexts), truncation="only_second", max_length=max_length,
                    stride=max_length // 3, return_overflowing_tokens=True, return_offsets_mapping=True)
    out = []
    for i, ids in enumerate(enc["input_ids"]):
        seq = enc.sequence_ids(i)
        offsets = [tuple(o) if s == 1 else None for o, s in zip(enc["offset_mapping"][i], seq)]
        out.append(Feature(list(ids), int(enc["overflow_to_sample_mapping"][i]), offsets))
    return out


def _cut_question(tokenizer, question: str, limit: int) -> str:
    """The question cut after its ``limit``-th token, as XTREME truncates queries."""
    enc = tokenizer(question, add_special_tokens=False, return_offsets_mapping=True)
    if len(enc["input_ids"]) <= limit:
        return question
    return question[: enc["offset_mapping"][limit - 1][1]]


def answers(feats: Sequence[Feature], logits: Sequence[np.ndarray], contexts: Sequence[str]) -> list[str]:
    """The best span of each example over its windows (empty where no window has a context token)."""
    best: list[tuple[float, str]] = [(-np.inf, "")] * len(contexts)
    for feat, scores in zip(feats, logits, strict=True):
        span = best_span(scores[:, 0], scores[:, 1], feat.offsets)
        if span is not None and span[0] > best[feat.example][0]:
            score, start, end = span
            best[feat.example] = (score, contexts[feat.example][start:end])
    return [text for _, text in best]


def best_span(start: np.ndarray, end: np.ndarray, offsets: Sequence[tuple[int, int] | None]
              ) -> tuple[float, int, int] | None:
    """(start + end logit, first char, end char) of the best valid span of one window."""
    usable = np.array([o is not None for o in offsets])
    if not usable.any():
        return None
    starts = _top(start, usable)
    ends = _top(end, usable)
    best: tuple[float, int, int] | None = None
    for s in starts:
        for e in ends:
            if e < s or e - s + 1 > MAX_ANSWER_TOKENS:
                continue
            score = float(start[s] + end[e])
            if best is None or score > best[0]:
                best = (score, offsets[s][0], offsets[e][1])
    return best


def _top(logits: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Indices of the N_BEST highest logits among usable tokens (ties: the earlier token)."""
    candidates = np.flatnonzero(usable)
    order = np.argsort(-logits[candidates], kind="stable")
    return candidates[order[:N_BEST]]
