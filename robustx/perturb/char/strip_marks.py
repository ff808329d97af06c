"""Diacritic and vowel-mark removal where writers really leave them out.

People type without diacritics when the keyboard or the medium makes them costly
(``Việt Nam`` as ``Viet Nam``, ``çalışmak`` as ``calismak``), and much of the web is
written that way; diacritics restoration is a task of its own for that reason
(Náplava et al. 2018). The recipe removes, per script:

- Latin, Greek, Cyrillic: every combining mark of the word after canonical
  decomposition (accents, cedillas, ogoneks, Vietnamese horns and tones, Greek tonos
  and dialytika, Cyrillic breve and diaeresis: ``й`` → ``и``, ``ё`` → ``е``), and the
  letters with a stroke or without a dot that do not decompose (``ł ø đ ħ ŧ ı``).
- Arabic (Arabic, Persian, Urdu): the harakat (tanwin, fatha, damma, kasra, shadda,
  sukun, dagger alef), the hamza and madda on alef (``أ إ آ`` → ``ا``, ``ٱ`` → ``ا``) and
  tatweel (``ـ``, deleted). Hamza on waw and yeh is spelling, not decoration: kept.
- Hebrew: niqqud and cantillation marks (modern Hebrew is written without them).

Nothing else: in the Brahmic scripts (Devanagari, Bengali, Tamil, Telugu, Malayalam,
Myanmar) and in Thai the marks are the vowels and viramas of the spelling, and the
Japanese dakuten tell kana apart (``が`` is not ``か``), so removing them writes other
words rather than noisy ones; Han, Hangul and Georgian have no optional marks.
``unsupported_reason`` says so.

``unit``: ``"word"`` (default) strips every mark of a chosen word, as a writer who
skips diacritics does, and ``rate`` is the fraction of eligible words (those with
something to strip) that are stripped; ``"cluster"`` strips single clusters, and
``rate`` is the fraction of eligible clusters. ``units`` and ``changed`` count
accordingly. Stripped clusters are recomposed to NFC.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from robustx.errors import ParamsError, RobustxError
from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.candidates import WordTable, placed
from robustx.perturb.char.clusters import intact
from robustx.perturb.editing import apply, check_rate, choose, cluster_offsets
from robustx.text import LANGUAGES
from robustx.text.scripts import char_info

UNITS = ("word", "cluster")
_ALL_MARKS = frozenset({"Latin", "Greek", "Cyrillic", "Hebrew"})
# Letters that carry a stroke or lack a dot as part of their code point.
_FOLD = {
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
    "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ı": "i",
    "ٱ": "ا",  # alef wasla
}  # fmt: skip
_HARAKAT = frozenset(chr(code) for code in (*range(0x064B, 0x0653), 0x0670))
_ALEF_MARKS = frozenset("\u0653\u0654\u0655")  # madda, hamza above, hamza below
_TATWEEL = "\u0640"

_MANDATORY = (
    "the vowel signs and viramas of the {script} script are part of the spelling: removing them "
    "writes other words, not text typed without diacritics"
)
_KANA = "dakuten and handakuten tell kana apart (が is not か): they are not optional"
REASONS = {
    "Devanagari": _MANDATORY,
    "Bengali": _MANDATORY,
    "Tamil": _MANDATORY,
    "Telugu": _MANDATORY,
    "Malayalam": _MANDATORY,
    "Myanmar": _MANDATORY,
    "Thai": "Thai vowel and tone marks are part of the spelling: removing them writes other words",
    "Han": "Han characters have no diacritics",
    "Hiragana": _KANA,
    "Katakana": _KANA,
    "Hangul": "Hangul has no optional marks (syllables are composed of jamo)",
    "Georgian": "Georgian is written without diacritics",
}


@dataclass(frozen=True)
class StripMarksParams:
    """``rate``: fraction of eligible words (or clusters) stripped, by default all of
    them (text typed without diacritics); ``unit``: ``word`` or ``cluster``."""

    rate: float = 1.0
    unit: str = "word"

    def __post_init__(self) -> None:
        check_rate(self.rate)
        if self.unit not in UNITS:
            raise ParamsError(f"unit must be one of {', '.join(UNITS)}, got {self.unit!r}")


@lru_cache(maxsize=1 << 16)
def strip(cluster: str, script: str) -> str:
    """``cluster`` without the marks that writers of ``script`` leave out (NFC)."""
    if script == "Arabic":
        if cluster[0] == _TATWEEL:
            return ""
        chars = unicodedata.normalize("NFD", cluster)
        base = _FOLD.get(chars[0], chars[0])
        drop = _HARAKAT | _ALEF_MARKS if base == "ا" else _HARAKAT
        return unicodedata.normalize("NFC", base + "".join(c for c in chars[1:] if c not in drop))
    if script in _ALL_MARKS:
        chars = unicodedata.normalize("NFD", cluster)
        base = chars[0] if script == "Hebrew" else _FOLD.get(chars[0], chars[0])
        return unicodedata.normalize("NFC", base + "".join(c for c in chars[1:] if not char_info(c)[2]))
    return cluster


@lru_cache(maxsize=1 << 16)  # words repeat (Zipf): most lookups hit
def _spots(script: str, clusters: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """``(index, stripped)`` of the clusters of a word that lose something."""
    if script not in _ALL_MARKS and script != "Arabic":
        return ()
    out = []
    for i, cluster in enumerate(clusters):
        new = strip(cluster, script)
        if new != cluster:
            out.append((i, new))
    return tuple(out)


def script_reason(script: str) -> str | None:
    if script in _ALL_MARKS or script == "Arabic":
        return None
    return REASONS.get(script, "no optional diacritics defined for the {script} script").format(script=script)


_TABLE = WordTable(lambda word: _spots(word.script, word.graphemes))


class StripMarks(Perturbation):
    name = "char.strip_marks"
    family = "char"
    Params = StripMarksParams

    def unsupported_reason(self, lang: str) -> str | None:
        if lang not in LANGUAGES:
            return None  # works on any script: the words decide
        reasons = [script_reason(script) for script in LANGUAGES[lang].scripts]
        if any(reason is None for reason in reasons):
            return None
        return "; ".join(dict.fromkeys(r for r in reasons if r))

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        reason = self.unsupported_reason(lang)
        if reason:
            raise RobustxError(f"{self.name}: {reason}")
        candidates = _TABLE.candidates(text)
        if self.params.unit == "cluster":
            units = [(offset, word, (spot,)) for offset, word, spots in candidates for spot in spots]
        else:
            units = candidates
        edits: list[Edit] = []
        changed = 0
        for offset, word, spots in choose(units, self.params.rate, rng):
            word = placed(word, offset)
            offsets = cluster_offsets(word.start, word.graphemes)
            strips = [Edit("", offsets[i], offsets[i + 1], word.graphemes[i], new, "strip_marks") for i, new in spots]
            if intact(text, word, strips):
                edits.extend(strips)
                changed += 1
        return PerturbedText(apply(text, edits), tuple(edits), len(units), changed)
