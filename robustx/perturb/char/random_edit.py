"""Random character edits on grapheme clusters: insert, delete, swap, substitute.

A chosen word gets one edit, drawn uniformly among the operations that can change
it: ``delete`` needs two or more clusters (deleting a whole word is a word-level
perturbation), ``swap`` two adjacent clusters that differ, ``insert`` and
``substitute`` a letter alphabet for the word's script (``alphabets``), from which
they draw a letter different from the one replaced. Inserted letters follow the
word's case (upper only in an all-capital word); a substituted letter takes the
case of the one it replaces. ``units`` counts the words some operation can change,
``changed`` the words changed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from robustx.errors import ParamsError
from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.candidates import WordTable, placed
from robustx.perturb.char.alphabets import alphabet
from robustx.perturb.editing import apply, check_rate, choose, cluster_offsets, new_clusters_own, stays_apart
from robustx.text import Word

OPS = ("insert", "delete", "swap", "substitute")


@dataclass(frozen=True)
class RandomCharEditParams:
    """``rate``: fraction of eligible words edited; ``ops``: the operations allowed."""

    rate: float = 0.1
    ops: tuple[str, ...] = OPS

    def __post_init__(self) -> None:
        check_rate(self.rate)
        ops = (self.ops,) if isinstance(self.ops, str) else tuple(self.ops)
        unknown = sorted(set(ops) - set(OPS))
        if unknown or not ops:
            raise ParamsError(f"ops must be a non-empty subset of {', '.join(OPS)}; got {list(ops)}")
        # One spelling per set of operations, so equal recipes hash to equal seeds.
        object.__setattr__(self, "ops", tuple(op for op in OPS if op in ops))


def _upper(letter: str, upper: bool) -> str:
    """``letter`` in upper case when asked and when that is one code point."""
    big = letter.upper()
    return big if upper and len(big) == 1 else letter


def _substitute(cluster: str, letters: Sequence[str], rng: random.Random) -> str:
    upper = cluster != cluster.lower()
    while True:  # ends: the alphabet holds at least two letters that differ in any case
        letter = _upper(rng.choice(letters), upper)
        if letter != cluster:
            return letter


@lru_cache(maxsize=1 << 16)  # words repeat (Zipf): most lookups hit
def _applicable(ops: tuple[str, ...], lang: str, script: str, clusters: tuple[str, ...]) -> tuple[str, ...]:
    """The operations of ``ops`` that can change a word made of ``clusters``."""
    letters = alphabet(lang, script)
    able = {
        "insert": bool(letters),
        "delete": len(clusters) > 1,
        "swap": any(a != b for a, b in zip(clusters, clusters[1:])),
        "substitute": len(letters) > 1,
    }
    return tuple(op for op in ops if able[op])


@lru_cache(maxsize=None)
def _table(ops: tuple[str, ...], lang: str) -> WordTable:
    return WordTable(lambda word: _applicable(ops, lang, word.script, word.graphemes))


class RandomCharEdit(Perturbation):
    name = "char.random_edit"
    family = "char"
    Params = RandomCharEditParams

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        candidates = _table(self.params.ops, lang).candidates(text)
        edits = []
        for offset, word, ops in choose(candidates, self.params.rate, rng):
            word = placed(word, offset)
            edit = self._edit(word, rng.choice(ops), alphabet(lang, word.script), rng)
            if stays_apart(text, word, [edit]) and new_clusters_own(text, word, [edit]):
                edits.append(edit)
        return PerturbedText(apply(text, edits), tuple(edits), len(candidates), len(edits))

    @staticmethod
    def _edit(word: Word, op: str, letters: Sequence[str], rng: random.Random) -> Edit:
        g = word.graphemes
        at = cluster_offsets(word.start, g)
        if op == "insert":
            i = rng.randint(0, len(g))
            shout = len(g) > 1 and "".join(g).isupper()
            return Edit("", at[i], at[i], "", _upper(rng.choice(letters), shout), op)
        if op == "delete":
            i = rng.randrange(len(g))
            return Edit("", at[i], at[i + 1], g[i], "", op)
        if op == "swap":
            i = rng.choice([j for j in range(len(g) - 1) if g[j] != g[j + 1]])
            return Edit("", at[i], at[i + 2], g[i] + g[i + 1], g[i + 1] + g[i], op)
        i = rng.randrange(len(g))
        return Edit("", at[i], at[i + 1], g[i], _substitute(g[i], letters, rng), op)
