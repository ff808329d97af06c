"""Homoglyphs: a letter becomes a character that looks the same (UTS #39 confusables).

The visual attack of Boucher et al. 2022 ("Bad Characters"): the text reads the same
to a person, but the model sees other code points, usually of another script
(Latin ``a`` and Cyrillic ``а``), so the recipe is ``cross_script``. With
``same_script`` only confusables of the word's own script are used (Latin ``l`` and
``I``, Han ``口`` and ``囗``, Thai ``ด`` and ``ต``); letters without one are then not
eligible.

A replacement must be a letter (not a modifier letter) that stands alone as a
cluster, of a script robustx knows (rare historic scripts, which few fonts cover,
are left out) and unchanged by NFKC: fullwidth and mathematical letters are left
out because tokenizers that normalize (XLM-R's SentencePiece applies NFKC) turn them
back into the original, so they would measure nothing. A cluster's base letter is
replaced and its marks kept (``é`` becomes Cyrillic ``е`` + acute), provided the marks
are script-neutral or of the replacement's script. In cursive scripts a letter of
another script would break the joining of its neighbours, and UTS #39 compares
isolated forms, which in Arabic differ from the forms inside a word; so Arabic
letters are replaced only by the Arabic letters that look identical in their
position (``ARABIC``): ``ي``/``ی`` and ``ك``/``ک`` where they join the next letter,
``ى``/``ی`` at the end of a word (the Arabic/Persian code point confusion that is
common in real text, too). Other cursive scripts get no replacements.

A language is supported when some letter of its everyday alphabet
(``alphabets.alphabet``) has a homoglyph: not Bengali, Hindi, Marathi (only the
avagraha sign) or Korean (UTS #39 lists Hangul jamo, which running text composes
into syllables). The share of eligible words still varies: on XNLI nearly every
word in Latin, Cyrillic and Greek, a third in Arabic, 6 % in Chinese.

``rate``: fraction of eligible words (those with a letter that has a homoglyph) that
get exactly one replacement; ``units`` counts eligible words, ``changed`` words changed.
``confusables``: path to a ``confusables.txt`` to use instead of the bundled 14.0.0
table (part of the parameters, so it changes the seeds).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from robustx.errors import ParamsError, RobustxError
from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.candidates import WordTable, placed
from robustx.perturb.char import confusables
from robustx.perturb.char.alphabets import alphabet
from robustx.perturb.char.clusters import intact
from robustx.perturb.editing import apply, check_rate, choose, cluster_offsets
from robustx.text import LANGUAGES, graphemes, stands_alone
from robustx.text.scripts import char_info

CURSIVE = frozenset({"Arabic", "Syriac", "Nko", "Mongolian"})
# Arabic letters that look the same as another in one position only: Arabic yeh and
# kaf and their Persian forms are identical where they join the next letter; dotless
# alef maksura and Persian yeh are identical at the end of a word.
ARABIC: dict[str, dict[str, tuple[str, ...]]] = {
    "joined": {"ي": ("ی",), "ی": ("ي",), "ك": ("ک",), "ک": ("ك",)},
    "final": {"ى": ("ی",), "ی": ("ى",)},
}
_NEUTRAL = frozenset({"Common", "Inherited"})


@dataclass(frozen=True)
class HomoglyphParams:
    """``rate``: fraction of eligible words with one homoglyph; ``same_script``: only
    confusables of the word's script; ``confusables``: a confusables.txt path ("" =
    bundled Unicode 14.0.0 table)."""

    rate: float = 0.1
    same_script: bool = False
    confusables: str = ""

    def __post_init__(self) -> None:
        check_rate(self.rate)
        if not isinstance(self.same_script, bool):
            raise ParamsError(f"same_script must be true or false, got {self.same_script!r}")
        if not isinstance(self.confusables, str):
            raise ParamsError(f"confusables must be a path string, got {self.confusables!r}")
        if self.confusables:
            confusables.check_path(self.confusables)


def _usable(char: str) -> bool:
    script, letter, _ = char_info(char)
    return (
        letter
        and script != "Other"
        and unicodedata.category(char) != "Lm"
        and unicodedata.normalize("NFKC", char) == char
        and stands_alone(char)
    )


def _fits(source: str, target: str, same_script: bool) -> bool:
    script, target_script = char_info(source)[0], char_info(target)[0]
    return script not in CURSIVE and (target_script == script or not same_script)


@lru_cache(maxsize=None)
def substitutes(path: str, same_script: bool) -> Mapping[str, tuple[str, ...]]:
    """Letter -> the characters that may replace it, in code point order."""
    table: dict[str, tuple[str, ...]] = {}
    for cls in confusables.load(path)[1]:
        usable = [char for char in cls if _usable(char)]
        for source in cls:
            if not char_info(source)[1]:
                continue
            options = tuple(sorted((t for t in usable if t != source and _fits(source, t, same_script)), key=ord))
            if options:
                table[source] = options
    return table


@lru_cache(maxsize=1 << 16)
def _options(path: str, same_script: bool, cluster: str, position: str) -> tuple[str, ...]:
    """The clusters a cluster may become: its base letter replaced, its marks kept.
    ``position`` (``joined`` or ``final``) matters for Arabic letters only."""
    decomposed = unicodedata.normalize("NFD", cluster)
    base, marks = decomposed[0], decomposed[1:]
    if not all(char_info(mark)[2] for mark in marks):
        if len(cluster) > 1:
            return ()  # a conjunct or a cluster with joiners: no single base to replace
        base, marks = cluster, ""
    mark_scripts = {char_info(mark)[0] for mark in marks} - _NEUTRAL
    out = []
    if char_info(base)[0] == "Arabic":
        targets = ARABIC[position].get(base, ()) if position else ()
    else:
        targets = substitutes(path, same_script).get(base, ())
    for target in targets:
        if mark_scripts - {char_info(target)[0]}:
            continue  # a Devanagari vowel sign on a Latin letter would not look the same
        new = unicodedata.normalize("NFC", target + marks)
        if new != cluster and len(graphemes(new)) == 1:
            out.append(new)
    return tuple(out)


@lru_cache(maxsize=1 << 16)  # words repeat (Zipf): most lookups hit
def _spots(path: str, same_script: bool, clusters: tuple[str, ...]) -> tuple[tuple[int, tuple[str, ...]], ...]:
    spots = []
    for i, cluster in enumerate(clusters):
        position = ""
        if char_info(cluster[0])[0] == "Arabic":  # does the letter join the next one?
            position = "joined" if i + 1 < len(clusters) and clusters[i + 1][0] != "\u0621" else "final"
        options = _options(path, same_script, cluster, position)
        if options:
            spots.append((i, options))
    return tuple(spots)


@lru_cache(maxsize=None)
def _table(path: str, same_script: bool) -> WordTable:
    return WordTable(lambda word: _spots(path, same_script, word.graphemes))


@lru_cache(maxsize=None)
def alphabet_homoglyphs(path: str, same_script: bool, lang: str) -> tuple[str, ...]:
    """The letters of ``lang``'s everyday alphabet (``alphabets.alphabet``) that have a
    homoglyph, in either case; "signs" (the Devanagari avagraha) do not count."""
    table = substitutes(path, same_script)
    found = []
    for script in LANGUAGES[lang].scripts:
        for letter in alphabet(lang, script):
            if "SIGN" in unicodedata.name(letter, "SIGN"):
                continue
            arabic = any(letter in forms for forms in ARABIC.values())
            if arabic or letter in table or letter.upper() in table:
                found.append(letter)
    return tuple(found)


class Homoglyph(Perturbation):
    name = "char.homoglyph"
    family = "char"
    cross_script = True
    Params = HomoglyphParams
    location_params = ("confusables",)

    def resource_files(self, lang: str) -> tuple[Path, ...]:
        return (Path(self.params.confusables).expanduser(),) if self.params.confusables else ()

    def unsupported_reason(self, lang: str) -> str | None:
        if lang not in LANGUAGES:
            return None  # works on any script: the words decide
        if alphabet_homoglyphs(self.params.confusables, self.params.same_script, lang):
            return None
        which = "same-script homoglyph" if self.params.same_script else "homoglyph"
        version = confusables.load(self.params.confusables)[0]
        scripts = "/".join(LANGUAGES[lang].scripts)
        return f"no letter of the {LANGUAGES[lang].name} alphabet ({scripts}) has a {which} in UTS #39 confusables {version}"

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        reason = self.unsupported_reason(lang)
        if reason:
            raise RobustxError(f"{self.name}: {reason}")
        candidates = _table(self.params.confusables, self.params.same_script).candidates(text)
        edits: list[Edit] = []
        for offset, word, spots in choose(candidates, self.params.rate, rng):
            word = placed(word, offset)
            i, options = rng.choice(spots)
            offsets = cluster_offsets(word.start, word.graphemes)
            edit = Edit("", offsets[i], offsets[i + 1], word.graphemes[i], rng.choice(options), "homoglyph")
            if intact(text, word, [edit]):
                edits.append(edit)
        return PerturbedText(apply(text, edits), tuple(edits), len(candidates), len(edits))
