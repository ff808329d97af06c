"""OCR confusions: character sequences that print alike and that OCR engines mix up.

Text that went through OCR carries substitutions of similar shapes, not keyboard
neighbours: ``rn`` read as ``m``, ``cl`` as ``d``, ``l`` as ``1`` or ``I``, ``O`` as ``0``
(Namysl et al. 2020 model them with a confusion matrix estimated on Tesseract
output). The tables below are curated per script from such well-known confusions;
they contain letters of the script and, where shapes match, digits (``O``/``0``,
``З``/``3``), never letters of another script:

- Latin: ``rn m``, ``cl d``, ``vv w``, ``li h``, ``ii u``, ``ri n`` and single shapes
  (``l I 1``, ``O 0 D Q``, ``e c o a``, ``u v y``, ``S 5``, ``B 8``, ``Z 2``, ``g 9 q``,
  ``G 6 b h``, ``t f``, ``E F``).
- Cyrillic: ``ш щ ц``, ``и н п л``, ``т г``, ``е с ё``, ``а о``, ``ь ъ``, ``б 6``, ``З з 3``,
  ``О 0``, ``ч 4`` and their capitals where the shapes match.
- Greek: ``ν υ``, ``ο σ``, ``ζ ξ``, accented vowels read without their tonos, ``ί ϊ``,
  ``ύ ϋ``, ``Ο Θ 0``, ``Γ Τ``, ``Λ Δ``, ``Ι 1``, ``Β 8``, ``Ζ 2``.
- Arabic: letters that differ only in their dots (``ب ت ث ن ي``, ``ج ح خ``, ``د ذ``,
  ``ر ز``, ``س ش``, ``ص ض``, ``ط ظ``, ``ع غ``, ``ف ق``, ``ى ي``, ``ة`` read as ``ه``); for
  Persian and Urdu also ``پ چ ژ گ`` (and Urdu ``ٹ ڈ ڑ``) with their dotless twins.
- Hebrew: ``ה ח``, ``ד ר``, ``ו ז ן``, ``ב כ``, ``ם ס``, ``ג נ``.

Other scripts have no table (their OCR errors involve marks and conjuncts that a
substitution table does not describe well): ``unsupported_reason`` says so.
A pattern matches whole clusters of one code point each, so no mark is orphaned.

``rate``: fraction of eligible words (those with a sequence in the table) that get
one confusion; ``digits``: allow confusions between letters and digits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from robustx.errors import ParamsError, RobustxError
from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.candidates import WordTable, placed
from robustx.perturb.char.clusters import intact
from robustx.perturb.editing import apply, check_rate, choose, cluster_offsets
from robustx.text import LANGUAGES

# Each group: sequences that OCR confuses with one another, in both directions.
# ``>`` marks a one-way confusion (``ة>ه``: ta marbuta read as heh, not the reverse,
# which is only possible at the end of a word).
GROUPS: dict[str, tuple[str, ...]] = {
    "Latin": (
        "rn m", "cl d", "vv w", "li h", "ii u", "ri n",
        "l I 1", "i l", "O 0", "D O", "Q O", "e c", "c o", "a o", "u v", "v y",
        "S 5", "B 8", "Z 2", "g 9", "q 9", "g q", "G 6", "b 6", "b h", "t f", "E F",
    ),
    "Cyrillic": (
        "ш щ", "ц щ", "Ш Щ", "Ц Щ", "и н", "н п", "л п", "И Н", "Н П", "Л П", "т г", "Т Г",
        "е с", "е ё", "Е Ё", "а о", "ь ъ", "б 6", "З 3", "з 3", "О 0", "ч 4",
    ),
    "Greek": (
        "ν υ", "ο σ", "ζ ξ", "ά>α", "έ>ε", "ή>η", "ί>ι", "ό>ο", "ύ>υ", "ώ>ω", "ί ϊ", "ύ ϋ",
        "Ο Θ", "Ο 0", "Γ Τ", "Λ Δ", "Ι 1", "Β 8", "Ζ 2",
    ),
    "Arabic": (
        "ب ت ث ن ي", "ج ح خ", "د ذ", "ر ز", "س ش", "ص ض", "ط ظ", "ع غ", "ف ق", "ى ي", "ة>ه",
    ),
    "Hebrew": ("ה ח", "ד ר", "ו ז ן", "ב כ", "ם ס", "ג נ"),
}  # fmt: skip
# Letters of Persian and Urdu that Arabic lacks, with the letters they differ from by dots.
EXTRA: dict[str, tuple[str, ...]] = {
    "fa": ("ب پ", "ج چ", "ز ژ", "ک گ", "ی ي"),
    "ur": ("ب پ", "ج چ", "ز ژ", "ک گ", "ی ي", "ت ٹ", "د ڈ", "ر ڑ"),
}


@dataclass(frozen=True)
class OcrParams:
    """``rate``: fraction of eligible words with one OCR confusion; ``digits``: allow
    letter/digit confusions (``O``/``0``, ``l``/``1``)."""

    rate: float = 0.1
    digits: bool = True

    def __post_init__(self) -> None:
        check_rate(self.rate)
        if not isinstance(self.digits, bool):
            raise ParamsError(f"digits must be true or false, got {self.digits!r}")


def _pairs(groups: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = []
    for group in groups:
        if ">" in group:
            source, target = group.split(">")
            pairs.append((source, target))
            continue
        members = group.split()
        pairs.extend((a, b) for a in members for b in members if a != b)
    return pairs


@lru_cache(maxsize=None)
def table(script: str, lang: str, digits: bool) -> Mapping[str, tuple[str, ...]]:
    """Sequence -> what OCR may read instead, for words of ``script`` in ``lang``."""
    out: dict[str, list[str]] = {}
    for source, target in _pairs(GROUPS.get(script, ()) + (EXTRA.get(lang, ()) if script == "Arabic" else ())):
        if not digits and any(c.isdigit() for c in source + target):
            continue
        if target not in out.setdefault(source, []):
            out[source].append(target)
    return {source: tuple(targets) for source, targets in out.items()}


@lru_cache(maxsize=1 << 16)  # words repeat (Zipf): most lookups hit
def _spots(
    script: str, lang: str, digits: bool, clusters: tuple[str, ...]
) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    """``(first cluster, cluster count, replacements)`` of each match in a word."""
    subs = table(script, lang, digits)
    if not subs:
        return ()
    longest = max(map(len, subs))
    spots = []
    for i in range(len(clusters)):
        for size in range(1, longest + 1):
            part = clusters[i : i + size]
            if len(part) < size or any(len(cluster) != 1 for cluster in part):
                break
            targets = subs.get("".join(part))
            if targets:
                spots.append((i, size, targets))
    return tuple(spots)


@lru_cache(maxsize=None)
def _table(lang: str, digits: bool) -> WordTable:
    return WordTable(lambda word: _spots(word.script, lang, digits, word.graphemes))


class Ocr(Perturbation):
    name = "char.ocr"
    family = "char"
    Params = OcrParams

    def unsupported_reason(self, lang: str) -> str | None:
        if lang not in LANGUAGES:
            return None  # works on any script: the words decide
        scripts = LANGUAGES[lang].scripts
        if any(table(script, lang, self.params.digits) for script in scripts):
            return None
        return f"no OCR confusion table for the {'/'.join(scripts)} script (tables exist for {', '.join(GROUPS)})"

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        reason = self.unsupported_reason(lang)
        if reason:
            raise RobustxError(f"{self.name}: {reason}")
        candidates = _table(lang, self.params.digits).candidates(text)
        edits: list[Edit] = []
        for offset, word, spots in choose(candidates, self.params.rate, rng):
            word = placed(word, offset)
            i, size, targets = rng.choice(spots)
            offsets = cluster_offsets(word.start, word.graphemes)
            before = "".join(word.graphemes[i : i + size])
            edit = Edit("", offsets[i], offsets[i + size], before, rng.choice(targets), "ocr")
            if intact(text, word, [edit]):
                edits.append(edit)
        return PerturbedText(apply(text, edits), tuple(edits), len(candidates), len(edits))
