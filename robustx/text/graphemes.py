"""Extended grapheme clusters (Unicode UAX #29, via ``regex``'s ``\\X``).

A perturbation that edits clusters instead of code points never detaches a
combining mark (a Devanagari or Thai vowel sign, a tone mark) from its base.
"""

from __future__ import annotations

import regex

_CLUSTER = regex.compile(r"\X")


def graphemes(text: str) -> list[str]:
    """The grapheme clusters of ``text``, in order; they concatenate back to ``text``."""
    return _CLUSTER.findall(text)


def grapheme_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` code-point offsets of each grapheme cluster of ``text``."""
    return [match.span() for match in _CLUSTER.finditer(text)]


def stands_alone(char: str) -> bool:
    """Whether ``char`` forms a cluster of its own between spaces.

    False for marks and for the few letters that cling to a neighbour (Thai SARA AM
    is a spacing mark, Malayalam dot reph a prepended letter): such a letter cannot
    replace a base or be inserted without merging into the next or previous cluster.
    """
    return len(_CLUSTER.findall(f" {char} ")) == 3
