"""Invisible characters inserted inside words: the imperceptible attack of Boucher et al. 2022.

The text renders as before, but the model sees extra code points. The characters
(``chars``, by name) are format characters, not letters of any script, so the
recipe is not ``cross_script``; the property tests check instead that deleting the
inserted characters gives back the input exactly and leaves every grapheme cluster
as it was.

========  ==============================  =======================================
name      inserted                        note
========  ==============================  =======================================
zwsp      U+200B ZERO WIDTH SPACE         default
zwnj      U+200C ZERO WIDTH NON-JOINER    default
zwj       U+200D ZERO WIDTH JOINER        default
wj        U+2060 WORD JOINER
lrm       U+200E LEFT-TO-RIGHT MARK
rlm       U+200F RIGHT-TO-LEFT MARK
alm       U+061C ARABIC LETTER MARK
shy       U+00AD SOFT HYPHEN              visible where a line breaks there
lre rle   U+202A/U+202B ... U+202C PDF    an empty embedding: both ends inserted
lro rlo   U+202D/U+202E ... U+202C PDF    an empty override: both ends inserted
lri rli   U+2066/U+2067 ... U+2069 PDI    an empty isolate: both ends inserted
fsi       U+2068 ... U+2069 PDI           an empty isolate: both ends inserted
========  ==============================  =======================================

Characters go only between two grapheme clusters of a word, never inside a cluster
and never at a word's edge. ZWJ and ZWNJ are left out where they would be visible:
in words of cursive scripts (Arabic: they would force or break the joining of the
neighbouring letters; the other characters are transparent to joining) and after a
cluster that ends in a virama (in Brahmic scripts virama + ZWJ/ZWNJ asks for a half
form or an explicit virama). Inside an Indic conjunct they would change the
rendering too, which is why a conjunct, being one cluster, is never split. ZWJ and
ZWNJ attach to the cluster before them (Unicode gives them Grapheme_Cluster_Break
Extend/ZWJ); the others are clusters of their own. A directional mark goes only into
words of its own direction (LRM into left-to-right words, RLM and ALM into
right-to-left ones): a strong mark of the other direction would split the word into
two runs that a paragraph of that direction displays in swapped order.

Measured with XLM-R's tokenizer (its NFKC-based normalizer): ZWSP, ZWNJ, ZWJ, LRM
and RLM become a space (they split the word), the others survive as tokens.

``rate``: fraction of eligible words (two clusters or more with an admissible gap)
that get ``per_word`` insertions at distinct gaps (fewer if the word has fewer).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from robustx.errors import ParamsError, RobustxError
from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.candidates import WordTable, placed
from robustx.perturb.editing import apply, check_rate, choose, cluster_offsets, sorted_sample, stays_apart
from robustx.text import LANGUAGES, Word, grapheme_spans

INVISIBLE: dict[str, str] = {
    "zwsp": "\u200b",
    "zwnj": "\u200c",
    "zwj": "\u200d",
    "wj": "\u2060",
    "lrm": "\u200e",
    "rlm": "\u200f",
    "alm": "\u061c",
    "shy": "\u00ad",
    "lre": "\u202a\u202c",
    "rle": "\u202b\u202c",
    "lro": "\u202d\u202c",
    "rlo": "\u202e\u202c",
    "lri": "\u2066\u2069",
    "rli": "\u2067\u2069",
    "fsi": "\u2068\u2069",
}
DEFAULT = ("zwsp", "zwnj", "zwj")
JOINERS = frozenset({"zwnj", "zwj"})
# Scripts whose letters join; "Other" (a script robustx does not list) counts as both
# cursive and of unknown direction, so it gets neither joiners nor directional marks.
CURSIVE = frozenset({"Arabic", "Syriac", "Nko", "Mongolian", "Adlam", "Other"})
RTL = frozenset({"Hebrew", "Arabic", "Syriac", "Thaana", "Nko", "Adlam"})
DIRECTIONAL = ("lrm", "rlm", "alm")
VIRAMA = 9  # canonical combining class of viramas


@dataclass(frozen=True)
class InvisibleParams:
    """``rate``: fraction of eligible words; ``per_word``: insertions per chosen word;
    ``chars``: names of the invisible characters to draw from."""

    rate: float = 0.1
    per_word: int = 1
    chars: tuple[str, ...] = DEFAULT

    def __post_init__(self) -> None:
        check_rate(self.rate)
        if not isinstance(self.per_word, int) or isinstance(self.per_word, bool) or self.per_word < 1:
            raise ParamsError(f"per_word must be >= 1, got {self.per_word!r}")
        chars = (self.chars,) if isinstance(self.chars, str) else tuple(self.chars)
        unknown = sorted(set(chars) - set(INVISIBLE))
        if unknown or not chars:
            raise ParamsError(f"chars must be a non-empty subset of {', '.join(INVISIBLE)}; got {list(chars)}")
        # One spelling per set of characters, so equal recipes hash to equal seeds.
        object.__setattr__(self, "chars", tuple(name for name in INVISIBLE if name in chars))


@lru_cache(maxsize=1 << 16)  # words repeat (Zipf): most lookups hit
def _gaps(chars: tuple[str, ...], script: str, clusters: tuple[str, ...]) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """``(gap, names)``: gap ``i`` lies before cluster ``i`` (1 <= i < len(clusters))."""
    wrong_mark = DIRECTIONAL if script == "Other" else ("lrm",) if script in RTL else ("rlm", "alm")
    fits = tuple(name for name in chars if name not in wrong_mark)
    plain = tuple(name for name in fits if name not in JOINERS)
    gaps = []
    for i in range(1, len(clusters)):
        visible = script in CURSIVE or unicodedata.combining(clusters[i - 1][-1]) == VIRAMA
        names = plain if visible else fits
        if names:
            gaps.append((i, names))
    return tuple(gaps)


@lru_cache(maxsize=None)
def _table(chars: tuple[str, ...]) -> WordTable:
    return WordTable(lambda word: _gaps(chars, word.script, word.graphemes))


class Invisible(Perturbation):
    name = "char.invisible"
    family = "char"
    Params = InvisibleParams

    def unsupported_reason(self, lang: str) -> str | None:
        if lang not in LANGUAGES:
            return None  # works on any script: the words decide
        scripts = LANGUAGES[lang].scripts
        if any(_gaps(self.params.chars, script, ("a", "b")) for script in scripts):
            return None
        return (
            f"none of {', '.join(self.params.chars)} is invisible inside {'/'.join(scripts)} words "
            "(joiners change cursive joining; a directional mark of the other direction reorders)"
        )

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        reason = self.unsupported_reason(lang)
        if reason:
            raise RobustxError(f"{self.name}: {reason}")
        candidates = _table(self.params.chars).candidates(text)
        edits: list[Edit] = []
        changed = 0
        for offset, word, gaps in choose(candidates, self.params.rate, rng):
            word = placed(word, offset)
            offsets = cluster_offsets(word.start, word.graphemes)
            new = [
                Edit("", offsets[i], offsets[i], "", INVISIBLE[rng.choice(names)], "invisible")
                for i, names in sorted_sample(rng, gaps, min(self.params.per_word, len(gaps)))
            ]
            if _unseen(text, word, new):
                edits.extend(new)
                changed += 1
        return PerturbedText(apply(text, edits), tuple(edits), len(candidates), changed)


def _unseen(text: str, word: Word, edits: list[Edit]) -> bool:
    """Whether the word's clusters, with the inserted characters taken out again, are
    its original clusters (a joiner attaches to the cluster before it; nothing fuses)."""
    if not stays_apart(text, word, edits):
        return False
    new, inserted, pos = "", [], word.start
    for edit in edits:
        new += text[pos : edit.start] + edit.after
        inserted += [False] * (edit.start - pos) + [True] * len(edit.after)
        pos = edit.end
    new += text[pos : word.end]
    inserted += [False] * (word.end - pos)
    kept = ["".join(new[i] for i in range(a, b) if not inserted[i]) for a, b in grapheme_spans(new)]
    return [cluster for cluster in kept if cluster] == list(word.graphemes)
