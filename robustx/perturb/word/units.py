"""Words as the word recipes count them, plus the checks and case rules they share.

**Tokens and units (drop, repeat, swap).** A *token* is a maximal run of grapheme
clusters that do not start with white space. In scripts written with spaces a token
holds one *unit*: its *core*, from its first to its last cluster that starts with a
letter or a number, so ``"(cats),"`` has the unit ``cats`` and keeps ``(`` and ``),``
as attached punctuation; ``don't``, ``state-of-the-art`` and ``1990`` are one unit
each. A token with letters of a script written without spaces (Han, kana, Thai,
Lao, Khmer, Myanmar: ``robustx.text.CHUNK_SIZE``) has no marked word boundary, so its
units are the words of ``robustx.text.words``: fixed chunks of 2 (Han), 3 (Hiragana)
or 4 (Katakana, Thai, ...) clusters, cut at script changes. Chunks approximate the
mean word length and need no dictionary; a dictionary segmenter would cut real
words, at the cost of a dependency per language (the synonym recipe segments with
its own wordnet instead, see ``synonym``).

**Lexical words (synonym, inflection, masked LM).** Words of ``robustx.text.words``
(letters only) that stand alone: in scripts with spaces, neither neighbour is a
letter, mark, number or word-internal joiner (apostrophe, hyphen, ...), so ``don``
of ``don't`` and ``state`` of ``state-of-the-art`` are never replaced; chunks of
scripts without spaces always qualify.

**Cluster safety.** An edit must leave a grapheme-cluster boundary at each of its
ends in the output (and at the joins inside a swap): regex's ``\\X`` links a virama
to a following consonant, a spacing mark to anything before it. ``cluster_safe``
drops the edits that would fuse with a neighbour.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import NamedTuple, Sequence

from robustx.perturb.base import Edit
from robustx.perturb.editing import check_rate
from robustx.text import CHUNK_SIZE, LANGUAGES, Word, char_script, grapheme_spans, graphemes, is_letter, is_mark, words

# Characters that glue two words into one lexical unit (contractions, compounds, handles).
JOINERS = frozenset("'’ʼ‘`´-‐‑‒_@/\\&+=~#*^|")
# Separators that glue only when a letter or number follows (U.S, example.com, 3,5).
SOFT_JOINERS = frozenset(".,:·")
_JOINER_SCRIPTS = ("Common", "Inherited")


class Unit(NamedTuple):
    """A word at ``[start, end)``; ``token`` indexes its token; ``core`` if it is the token's whole core."""

    start: int
    end: int
    script: str
    token: int
    core: bool


class Token(NamedTuple):
    """A white-space-delimited token at ``[start, end)`` and the units inside it."""

    start: int
    end: int
    units: tuple[Unit, ...]


def _wordish(cluster: str) -> bool:
    return is_letter(cluster[0]) or cluster[0].isnumeric()


def tokens(text: str) -> list[Token]:
    """The tokens of ``text`` with their units (see the module docstring)."""
    out: list[Token] = []
    run: list[tuple[int, int]] = []
    spans = grapheme_spans(text)
    for i, (start, end) in enumerate(spans + [(len(text), len(text))]):
        space = i == len(spans) or text[start].isspace()
        if not space:
            run.append((start, end))
            continue
        if run:
            out.append(_token(text, run, len(out)))
            run = []
    return out


def _token(text: str, run: list[tuple[int, int]], index: int) -> Token:
    start, end = run[0][0], run[-1][1]
    chunked = any(is_letter(text[s]) and char_script(text[s]) in CHUNK_SIZE for s, _ in run)
    if chunked:
        units = tuple(Unit(start + w.start, start + w.end, w.script, index, False) for w in words(text[start:end]))
        return Token(start, end, units)
    wordish = [(s, e) for s, e in run if _wordish(text[s:e])]
    if not wordish:
        return Token(start, end, ())
    first = next((text[s] for s, _ in wordish if is_letter(text[s])), "")
    script = char_script(first) if first else "Common"
    return Token(start, end, (Unit(wordish[0][0], wordish[-1][1], script, index, True),))


def units_of(toks: Sequence[Token]) -> list[Unit]:
    return [unit for token in toks for unit in token.units]


def lexical_words(text: str) -> list[Word]:
    """The words of ``text`` that a substitution may replace (see the module docstring)."""
    return [w for w in words(text) if w.script in CHUNK_SIZE or _stands_alone(text, w)]


def _glues(char: str) -> bool:
    return is_letter(char) or is_mark(char) or char.isnumeric() or char in JOINERS


def _stands_alone(text: str, word: Word) -> bool:
    before = text[word.start - 1] if word.start else ""
    after = text[word.end] if word.end < len(text) else ""
    if (before and _glues(before)) or (after and _glues(after)):
        return False
    if before in SOFT_JOINERS and word.start >= 2 and _wordish(text[word.start - 2]):
        return False
    return not (after in SOFT_JOINERS and word.end + 1 < len(text) and _wordish(text[word.end + 1]))


def scripts_for(lang: str, script: str) -> frozenset[str]:
    """Scripts a replacement of a word in ``script`` may use: all of Japanese's for Japanese."""
    language = LANGUAGES.get(lang)
    if language and script in language.scripts:
        return frozenset(language.scripts)
    return frozenset((script,))


def single_word(candidate: str, scripts: frozenset[str]) -> bool:
    """Whether ``candidate`` is one word of letters of ``scripts`` (no space, digit or punctuation)."""
    clusters = graphemes(candidate)
    if not clusters or char_script(clusters[0][0]) not in scripts:
        return False
    for cluster in clusters:
        first = cluster[0]
        if not is_letter(first) or (char_script(first) not in scripts and char_script(first) not in _JOINER_SCRIPTS):
            return False
    return True


def match_case(original: str, replacement: str) -> str:
    """``replacement`` in the case of ``original``: all capitals, or a capital first letter.

    A capital in the replacement itself (a German noun, a proper name) is kept.
    """
    if len(original) > 1 and original.isupper() and not replacement.isupper():
        return replacement.upper()
    if original[:1].isupper() and replacement[:1].islower():
        big = replacement[0].upper()
        if len(big) == 1:
            return big + replacement[1:]
    return replacement


def stochastic_count(rate: float, n: int, rng: random.Random) -> int:
    """``rate * n`` rounded down or up so that its expectation is exact (as ``editing.choose``)."""
    if rate <= 0.0 or n <= 0:
        return 0
    want = rate * n
    count = math.floor(want)
    if rng.random() < want - count:
        count += 1
    return min(count, n)


def cluster_safe(
    text: str, edits: Sequence[Edit], inner: Sequence[Sequence[int]] | None = None
) -> tuple[str, list[Edit]]:
    """The output and the edits (sorted, disjoint) that keep cluster boundaries at their ends.

    ``inner[i]`` lists offsets inside ``edits[i].after`` that must stay boundaries too
    (the joins of a swap). Edits that would fuse with a neighbour are dropped, and the
    rest checked again, until none fuses.
    """
    kept = list(edits)
    cuts = [tuple(c) for c in inner] if inner is not None else [()] * len(kept)
    while True:
        parts: list[str] = []
        need: list[tuple[int, int]] = []
        pos = size = 0
        for i, edit in enumerate(kept):
            parts.append(text[pos : edit.start])
            size += edit.start - pos
            need.append((i, size))
            need.extend((i, size + c) for c in cuts[i])
            parts.append(edit.after)
            size += len(edit.after)
            need.append((i, size))
            pos = edit.end
        parts.append(text[pos:])
        out = "".join(parts)
        if not kept:
            return out, kept
        bounds = {0}
        bounds.update(end for _, end in grapheme_spans(out))
        bad = {i for i, offset in need if offset not in bounds}
        if not bad:
            return out, kept
        kept = [edit for i, edit in enumerate(kept) if i not in bad]
        cuts = [c for i, c in enumerate(cuts) if i not in bad]


@dataclass(frozen=True)
class RateParams:
    """``rate``: the fraction of units changed."""

    rate: float = 0.1

    def __post_init__(self) -> None:
        check_rate(self.rate)
