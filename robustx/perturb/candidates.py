"""The words of a text that a recipe can change, with what it can do to each, memoised per token.

A recipe's eligibility test (``data_of(word)``: falsy for a word it cannot change) is a
function of the word alone, and segmenting a sentence costs more than the rest of a
typo. Sentences rarely repeat but their space-separated tokens do (Zipf), so a
``WordTable`` keeps each token's eligible words and reuses them wherever the token
recurs; texts that cannot be cut at spaces (``cuts_at_spaces``) are segmented whole.
Either way the candidates are exactly those of ``words(text)``, in order.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Generic, TypeVar

from robustx.text import Word, words
from robustx.text.words import cuts_at_spaces, token_words

T = TypeVar("T")


def placed(word: Word, offset: int) -> Word:
    """``word`` of a token moved to the token's ``offset`` in its text."""
    return Word(word.start + offset, word.end + offset, word.script, word.graphemes) if offset else word


class WordTable(Generic[T]):
    """``candidates(text)``: ``(offset, word, data)`` for each word of ``text`` with truthy
    ``data = data_of(word)``; ``placed(word, offset)`` is the word's place in ``text``."""

    def __init__(self, data_of: Callable[[Word], T]) -> None:
        self.data_of = data_of

    def candidates(self, text: str) -> list[tuple[int, Word, T]]:
        if not cuts_at_spaces(text):
            return [(0, word, data) for word in words(text) if (data := self.data_of(word))]
        out: list[tuple[int, Word, T]] = []
        offset = 0
        for token in text.split(" "):
            if token:
                for word, data in _eligible(self, token):
                    out.append((offset, word, data))
            offset += len(token) + 1
        return out


# One memo for every table (recipe, layout, language): about 2.7 kB an entry, so a study that
# meets many languages and recipes stays within ~180 MB; one XNLI shard has ~30,000 tokens.
@lru_cache(maxsize=1 << 16)
def _eligible(table: WordTable, token: str) -> tuple[tuple[Word, Any], ...]:
    return tuple((word, data) for word in token_words(token) if (data := table.data_of(word)))
