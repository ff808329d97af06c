"""Cluster safety for edits inside one word (``editing.stays_apart`` covers its edges).

A replacement can fuse with a neighbouring cluster of the same word: a Hangul
leading jamo before a syllable, a trailing jamo after an LV syllable, a letter
before a spacing mark. ``intact`` accepts a word's edits only when every untouched
cluster stays as it was and each replacement forms clusters of its own.
"""

from __future__ import annotations

from typing import Sequence

from robustx.perturb.base import Edit
from robustx.perturb.editing import stays_apart
from robustx.text import Word, graphemes


def intact(text: str, word: Word, edits: Sequence[Edit]) -> bool:
    """Whether ``word`` of ``text`` with ``edits`` (sorted, on its cluster boundaries)
    segments into its untouched clusters and the clusters of each replacement."""
    if not stays_apart(text, word, edits):
        return False
    pieces, pos = [], word.start
    for edit in edits:
        pieces += [text[pos : edit.start], edit.after]
        pos = edit.end
    pieces.append(text[pos : word.end])
    return graphemes("".join(pieces)) == [cluster for piece in pieces for cluster in graphemes(piece)]
