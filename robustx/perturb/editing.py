"""Choosing which words to change and applying edits: shared by the char recipes."""

from __future__ import annotations

import math
import random
from typing import Sequence, TypeVar

from robustx.errors import ParamsError
from robustx.perturb.base import Edit
from robustx.text import Word, graphemes, is_letter, is_mark

T = TypeVar("T")


def check_rate(rate: float, name: str = "rate") -> None:
    """A rate is a number in [0, 1]: not a bool (``True`` would read as 1.0), not a string, not NaN."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)):
        raise ParamsError(f"{name} must be a number in [0, 1], got {rate!r}")
    if not 0.0 <= rate <= 1.0:
        raise ParamsError(f"{name} must be in [0, 1], got {rate!r}")


def choose(items: Sequence[T], rate: float, rng: random.Random) -> list[T]:
    """``rate`` of ``items``, in their order, with stochastic rounding of the count.

    ``rate * len(items)`` is rarely whole; rounding it down or to nearest would bias
    short texts. Taking the floor plus one more with probability equal to the
    fraction keeps the expected count exactly ``rate * len(items)``.
    """
    if rate <= 0.0 or not items:
        return []
    want = rate * len(items)
    count = math.floor(want)
    if rng.random() < want - count:
        count += 1
    picked = sorted_sample(rng, range(len(items)), min(count, len(items)))
    return [items[i] for i in picked]


def sorted_sample(rng: random.Random, population: Sequence[T], k: int) -> list[T]:
    """``sorted(rng.sample(population, k))``. For one item ``rng.choice`` reads exactly the
    random numbers that ``sample`` reads (one ``randbelow(len(population))``) at a third of the cost."""
    if k == 1:
        return [rng.choice(population)]
    return sorted(rng.sample(population, k))


def cluster_offsets(start: int, clusters: Sequence[str]) -> list[int]:
    """Start offset of each cluster of a word beginning at ``start``, plus its end."""
    offsets = [start]
    for cluster in clusters:
        offsets.append(offsets[-1] + len(cluster))
    return offsets


def apply(text: str, edits: Sequence[Edit], base: int = 0) -> str:
    """``text`` with non-overlapping ``edits`` (sorted by start) applied.

    ``base`` is the offset of ``text`` in the text the edits refer to.
    """
    parts: list[str] = []
    pos = 0
    for edit in edits:
        start, end = edit.start - base, edit.end - base
        if start < pos or text[start:end] != edit.before:
            raise RuntimeError(f"edit {edit} does not fit the text")  # a bug in a recipe
        parts.append(text[pos:start])
        parts.append(edit.after)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def stays_apart(text: str, word: Word, edits: Sequence[Edit]) -> bool:
    """Whether ``word`` with ``edits`` applied still ends where its neighbours begin.

    regex's ``\\X`` links a virama to any following consonant, so an edit that puts a
    consonant right after an orphan virama, or after a virama-final word of another
    script, would fuse both into one cluster; recipes drop such edits.
    """
    left = text[word.start - 1 : word.start]
    right = text[word.end : word.end + 1]
    if not (left and is_mark(left)) and not (right and is_letter(right)):
        return True  # no virama before the word and no letter after it: nothing to fuse with
    new = apply(text[word.start : word.end], edits, word.start)
    edges = {0}
    for cluster in graphemes(left + new + right):
        edges.add(max(edges) + len(cluster))
    return len(left) in edges and len(left) + len(new) in edges


def new_clusters_own(text: str, word: Word, edits: Sequence[Edit]) -> bool:
    """Whether every cluster that ``edits`` create in ``word`` starts with a letter of its script.

    A consonant inserted after a virama joins the cluster before it; where that cluster's base
    is not of the word's script (a Common letter such as the kana mark ``ー`` inside a Devanagari
    word), the edit would make a cluster of another script: recipes drop it.
    """
    from collections import Counter

    from robustx.text import char_script

    old = Counter(word.graphemes)
    new = Counter(graphemes(apply(text[word.start : word.end], edits, word.start)))
    return all(is_letter(c[0]) and char_script(c[0]) == word.script for c in (new - old).elements())
