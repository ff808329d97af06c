"""Token classification over pre-split words: each word labelled by its first subword (XTREME).

A sentence longer than the model's window is cut into windows of whole words, so every word
gets a label; a word longer than a whole window keeps its first ``budget`` subwords (only the
first one is read). A word the tokenizer turns into nothing (an invisible character alone)
stands as one unknown token, so the words and the labels stay aligned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from robustx.errors import RobustxError


@dataclass(frozen=True)
class Window:
    """One model input: its token ids, and for each of its words the sentence and word index and
    the position of the word's first subword."""

    ids: list[int]
    sentence: int
    words: list[int]
    positions: list[int]


def word_pieces(tokenizer, sentences: Sequence[Sequence[str]]) -> list[list[list[int]]]:
    """The subword ids of every word of every sentence, tokenized as pre-split words."""
    if not sentences:
        return []
    enc = tokenizer([list(s) for s in sentences], is_split_into_words=True, add_special_tokens=False)
    out = []
    for i, words in enumerate(sentences):
        pieces: list[list[int]] = [[] for _ in words]
        for token, word in zip(enc["input_ids"][i], enc.word_ids(i)):
            if word is not None:
                pieces[word].append(token)
        out.append([p or [tokenizer.unk_token_id] for p in pieces])
    return out


def windows(tokenizer, sentences: Sequence[Sequence[str]], max_length: int, prefix: str = "") -> list[Window]:
    """Model inputs covering every word of ``sentences`` once: ``<cls> prefix words <sep>``."""
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    if cls is None or sep is None:
        raise RobustxError("token classification needs a tokenizer with a class and a separator token")
    head = [cls, *(tokenizer(prefix, add_special_tokens=False)["input_ids"] if prefix else [])]
    budget = max_length - len(head) - 1
    if budget < 1:
        raise RobustxError(f"max_length {max_length} leaves no room for words after the special tokens and prefix")
    out: list[Window] = []
    for s, words in enumerate(word_pieces(tokenizer, sentences)):
        ids, idx, pos = list(head), [], []
        for w, pieces in enumerate(words):
            pieces = pieces[:budget]
            if len(ids) - len(head) + len(pieces) > budget:
                out.append(Window([*ids, sep], s, idx, pos))
                ids, idx, pos = list(head), [], []
            idx.append(w)
            pos.append(len(ids))
            ids.extend(pieces)
        out.append(Window([*ids, sep], s, idx, pos))
    return out


def word_labels(windows_: Sequence[Window], logits: Sequence[np.ndarray], label_index: np.ndarray,
                labels: Sequence[str], lengths: Sequence[int]) -> list[list[str]]:
    """Each sentence's word labels from its windows' per-token logits (columns put in ``labels`` order)."""
    out: list[list[str | None]] = [[None] * n for n in lengths]
    for window, scores in zip(windows_, logits, strict=True):
        best = scores[window.positions][:, label_index].argmax(axis=1)
        for w, b in zip(window.words, best):
            out[window.sentence][w] = labels[b]
    return out  # type: ignore[return-value]
