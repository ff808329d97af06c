"""Words: the unit a perturbation rate counts.

In scripts written with spaces a word is a maximal run of grapheme clusters that
start with a letter of one script (marks travel inside their cluster). Digits,
punctuation and spaces end a word, so ``don't`` is two words and ``COVID19`` gives
``COVID``; a change of script also ends a word (``Tokyo東京`` is two). Letters of
the Common or Inherited script (e.g. the kana prolonged-sound mark ``ー``) join the
run they are in.

Scripts written without spaces (``CHUNK_SIZE``) have no marked word boundary, so a
run is cut into consecutive chunks of a fixed number of graphemes, close to the
mean word length: 2 for Han (Chinese words average 1.6-2 characters), 3 for
Hiragana (particles and inflections), 4 for Katakana (loanwords) and for Thai, Lao,
Khmer and Myanmar (mean word of 3-5 clusters). The last chunk of a run may be
shorter. A Japanese run also ends where the script changes (kanji to kana), which
approximates a word boundary better than any fixed size.
"""

from __future__ import annotations

from typing import NamedTuple

import regex

from robustx.text.graphemes import graphemes
from robustx.text.scripts import char_info

CHUNK_SIZE: dict[str, int] = {
    "Han": 2,
    "Hiragana": 3,
    "Katakana": 4,
    "Thai": 4,
    "Lao": 4,
    "Khmer": 4,
    "Myanmar": 4,
}
_JOINERS = ("Common", "Inherited")


class Word(NamedTuple):
    """A word at ``[start, end)`` of its text, its script and its grapheme clusters."""

    start: int
    end: int
    script: str
    graphemes: tuple[str, ...]


def _emit(out: list[Word], start: int, end: int, script: str, run: list[str]) -> None:
    size = CHUNK_SIZE.get(script)
    if size is None or len(run) <= size:
        out.append(Word(start, end, script, tuple(run)))
        return
    for i in range(0, len(run), size):
        chunk = tuple(run[i : i + size])
        stop = start + sum(map(len, chunk))
        out.append(Word(start, stop, script, chunk))
        start = stop


# ASCII non-letters (space, digits, punctuation) always end a word, so a text can be cut at
# them and each piece segmented alone; a piece of ASCII letters is one Latin word of
# one-character clusters, which skips the per-cluster loop for most of a Latin-script text.
# Other pieces are scanned from the ASCII character before them: a piece may start with a
# mark that clusters with it (``0ำ`` is one cluster, not a digit and a Thai letter). Cutting
# pays only where most characters are ASCII: other texts are scanned whole.
_PIECES = regex.compile(r"[^\x00-@\[-`{-\x7f]+")
# A prepended sign clusters with whatever follows it, a space or an ASCII character included
# (Malayalam dot reph is a letter: ``ൎ `` is a one-cluster word), so no cut is safe near one.
_PREPEND = regex.compile(r"\p{GCB=Prepend}")


def words(text: str) -> list[Word]:
    """The words of ``text`` in order (see the module docstring for what a word is)."""
    extra_bytes = len(text.encode("utf-8", "surrogatepass")) - len(text)  # 0 for ASCII, >= 1 per other character
    if extra_bytes > len(text) // 8 or _PREPEND.search(text):
        return scan(text)
    out: list[Word] = []
    for match in _PIECES.finditer(text):
        piece = match.group()
        start = match.start()
        if piece.isascii():
            out.append(Word(start, match.end(), "Latin", tuple(piece)))
        else:
            before = max(start - 1, 0)
            scan(text[before : match.end()], before, out)
    return out


def scan(text: str, offset: int = 0, out: list[Word] | None = None) -> list[Word]:
    """The general segmentation of ``text`` (every cluster looked at), its words at ``offset``
    onwards appended to ``out``; ``words`` gives the same, faster."""
    out = [] if out is None else out
    run: list[str] = []
    run_start = pos = offset
    run_script = ""
    for cluster in graphemes(text):
        script, letter, _ = char_info(cluster[0])
        if not letter:
            if run:
                _emit(out, run_start, pos, run_script, run)
                run = []
        elif not run:
            run, run_start, run_script = [cluster], pos, script
        elif script == run_script or script in _JOINERS:
            run.append(cluster)
        elif run_script in _JOINERS:
            run.append(cluster)
            run_script = script
        else:
            _emit(out, run_start, pos, run_script, run)
            run, run_start, run_script = [cluster], pos, script
        pos += len(cluster)
    if run:
        _emit(out, run_start, pos, run_script, run)
    return out


# A space ends every word, and a cluster reaches over a space only where a prepended sign
# precedes it or a mark or joiner follows it; a cluster that starts with a space is no
# letter, so it belongs to no word. Away from prepended signs and a mark at the very start,
# a text's words are therefore those of its space-separated tokens, each segmented after a
# space: ``token_words`` can be memoised per token, and tokens repeat far more than texts.
_NOT_AT_SPACES = regex.compile(r"\p{GCB=Prepend}|^[\p{GCB=Extend}\p{GCB=SpacingMark}\p{GCB=ZWJ}]")


def cuts_at_spaces(text: str) -> bool:
    """Whether the words of ``text`` are the ``token_words`` of ``text.split(" ")`` at their offsets."""
    return _NOT_AT_SPACES.search(text) is None


def token_words(token: str) -> tuple[Word, ...]:
    """The words of ``token`` (offsets within it) as a space-separated token of a longer text."""
    if token.isascii():  # no ASCII character clusters with the space before it
        return tuple(words(token))
    return tuple(scan(" " + token, -1))
