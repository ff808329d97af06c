"""Keyboard typos: a character becomes one on a physically adjacent key.

Typos stay inside the word's script: a letter becomes a neighbouring letter of the
same script (and keeps the marks of its cluster), a combining mark a neighbouring
mark of the same script; digits, punctuation and other scripts are never offered.
A precomposed Hangul syllable is typed as two or three jamo on a 2-set keyboard: its
typo turns one of them into a neighbouring key's jamo of the same role, and it stays
one syllable. Chinese is typed through a pinyin input method: a Han character becomes
a homophone or the character of a syllable one neighbouring key away (``pinyin_ime``).
``units`` counts the words that have at least one such character (or syllable),
``changed`` the words that got a typo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from robustx.errors import ParamsError, RobustxError
from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.candidates import WordTable, placed
from robustx.perturb.char import layouts
from robustx.perturb.editing import apply, check_rate, choose, cluster_offsets, sorted_sample, stays_apart
from robustx.text import LANGUAGES
from robustx.text.scripts import char_info


@dataclass(frozen=True)
class KeyboardTypoParams:
    """``rate``: fraction of eligible words that get typos; ``max_per_word``: at most
    this many typos (on distinct clusters) per chosen word; ``layout``: a keyboard table
    name (a language code) to use instead of the text language's own."""

    rate: float = 0.1
    max_per_word: int = 1
    layout: str = ""

    def __post_init__(self) -> None:
        check_rate(self.rate)
        if not isinstance(self.max_per_word, int) or self.max_per_word < 1:
            raise ParamsError(f"max_per_word must be >= 1, got {self.max_per_word!r}")
        if self.layout and self.layout not in layouts.available():
            raise ParamsError(f"unknown layout {self.layout!r}; known: {', '.join(layouts.available())}")


# A precomposed syllable (U+AC00-U+D7A3) is S = 0xAC00 + (L * 21 + V) * 28 + T
# (Unicode ch. 3.12), its initial L, medial V and final T indexing these lists of the
# compatibility jamo that 2-set keys type; T = 0 is no final. Compound medials and
# finals (ㅘ, ㄳ) take two keys and get no typo here.
_ROLES = (
    tuple("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"),
    tuple("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"),
    ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"),
)


def _syllable_typos(subs: Mapping[str, tuple[str, ...]], syllable: str) -> list[tuple[str, ...]]:
    """Per jamo of ``syllable`` that can change: the syllables where it became the jamo of
    a neighbouring key that can take its role (ㄸ, ㅃ and ㅉ are no finals; a missing
    final stays missing, so an LV syllable stays LV and keeps its cluster)."""
    initial, rest = divmod(ord(syllable) - 0xAC00, 21 * 28)
    jamo = (initial, *divmod(rest, 28))
    typos = []
    for role, names in enumerate(_ROLES):
        near = [names.index(other) for other in subs.get(names[jamo[role]], ()) if other in names]
        if near:
            spelled = [jamo[:role] + (index,) + jamo[role + 1 :] for index in near]
            typos.append(tuple(chr(0xAC00 + (l * 21 + v) * 28 + t) for l, v, t in spelled))
    return typos


@lru_cache(maxsize=1 << 16)  # words repeat (Zipf): most lookups hit
def _spots(
    layout: str, script: str, clusters: tuple[str, ...]
) -> tuple[tuple[int, tuple[tuple[int, tuple[str, ...]], ...]], ...]:
    """Clusters of a word that can get a typo, each with the code points that can change
    (the base letter at index 0 and the marks after it) and their replacements; a Hangul
    syllable is listed once per jamo that can change."""
    letters, marks = _bases_and_marks(layout, script)
    spots = []
    for i, cluster in enumerate(clusters):
        if len(cluster) == 1 and cluster in letters:
            spots.append((i, letters[cluster]))  # most clusters: one letter, its spot made once
            continue
        base = cluster[0]
        where = list(letters.get(base, ()))
        if not where and "\uac00" <= base <= "\ud7a3":
            where.extend((0, typos) for typos in _syllable_typos(layouts.substitutions(layout, script), base))
        for j in range(1, len(cluster)):
            if cluster[j] in marks:
                where.append((j, marks[cluster[j]]))
        if where:
            spots.append((i, tuple(where)))
    return tuple(spots)


@lru_cache(maxsize=None)
def _bases_and_marks(
    layout: str, script: str
) -> tuple[Mapping[str, tuple[tuple[int, tuple[str, ...]], ...]], Mapping[str, tuple[str, ...]]]:
    """A letter's spot as a cluster's base (``((0, replacements),)``) and the replacements of marks."""
    subs = layouts.substitutions(layout, script)
    bases = {char: ((0, near),) for char, near in subs.items() if char_info(char)[1]}
    return bases, {char: near for char, near in subs.items() if char not in bases}


@lru_cache(maxsize=None)
def _table(layout: str) -> WordTable:
    return WordTable(lambda word: _spots(layout, word.script, word.graphemes))


@lru_cache(maxsize=None)
def _reason(layout: str, lang: str) -> str | None:
    if lang not in LANGUAGES:
        return f"unknown language {lang!r}; keyboard typos cover the XTREME languages {', '.join(LANGUAGES)}"
    if layout not in layouts.available():
        return f"no keyboard table for {layout!r}"
    scripts = LANGUAGES[lang].scripts
    if any(layouts.substitutions(layout, script) for script in scripts):
        return None
    keyboard = layouts.load(layout)
    note = f" ({keyboard.note})" if keyboard.note else ""
    return f"keyboard {keyboard.source} has no {'/'.join(scripts)} letters for {lang}{note}"


class KeyboardTypo(Perturbation):
    name = "char.keyboard_typo"
    family = "char"
    Params = KeyboardTypoParams

    def unsupported_reason(self, lang: str) -> str | None:
        return _reason(self.params.layout or lang, lang)

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        reason = self.unsupported_reason(lang)
        if reason:
            raise RobustxError(f"{self.name}: {reason}")
        candidates = _table(self.params.layout or lang).candidates(text)
        edits: list[Edit] = []
        changed = 0
        for offset, word, spots in choose(candidates, self.params.rate, rng):
            word = placed(word, offset)
            offsets = cluster_offsets(word.start, word.graphemes)
            count = rng.randint(1, min(self.params.max_per_word, len(spots)))
            typos = []
            for i, where in sorted_sample(rng, spots, count):
                cluster = word.graphemes[i]
                at, options = rng.choice(where)
                typo = cluster[:at] + rng.choice(options) + cluster[at + 1 :]
                typos.append(Edit("", offsets[i], offsets[i + 1], cluster, typo, "keyboard"))
            if stays_apart(text, word, typos):
                edits.extend(typos)
                changed += 1
        return PerturbedText(apply(text, edits), tuple(edits), len(candidates), changed)
