"""The letters that random insertions and substitutions draw, per language and script.

Only base letters are drawn, never a combining mark, so a drawn letter is a cluster
of its own and no vowel sign is orphaned. Sources, all derived at run time:

- Han: the 3,755 level-1 hanzi of GB 2312 (the frequent simplified characters), or
  for Japanese the 2,965 level-1 kanji of JIS X 0208, read from Python's codecs.
- Hangul: the 2,350 precomposed syllables of KS X 1001 (those in common use).
- Hiragana, Katakana: the kana letters of their Unicode blocks.
- Any other script: the lower-case or caseless letters of the language's keyboard
  table when it has at least ``MIN_KEYBOARD_LETTERS`` (what a typist of the language
  can type, e.g. ä ö ü ß for German), else the letters of the script's basic range.

Modifier letters, letters that NFKC would change (Devanagari nukta letters, Arabic
presentation forms) and letters that cling to a neighbouring cluster (Thai SARA AM)
are left out.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from robustx.perturb.char import layouts
from robustx.text.graphemes import stands_alone
from robustx.text.scripts import char_info

MIN_KEYBOARD_LETTERS = 10
_BASIC: dict[str, tuple[int, int]] = {
    "Latin": (0x61, 0x7A),
    "Greek": (0x3B1, 0x3C9),
    "Cyrillic": (0x430, 0x44F),
    "Armenian": (0x561, 0x586),
    "Hebrew": (0x5D0, 0x5EA),
    "Arabic": (0x621, 0x64A),
    "Devanagari": (0x904, 0x939),
    "Bengali": (0x985, 0x9B9),
    "Gurmukhi": (0xA05, 0xA39),
    "Gujarati": (0xA85, 0xAB9),
    "Oriya": (0xB05, 0xB39),
    "Tamil": (0xB85, 0xBB9),
    "Telugu": (0xC05, 0xC39),
    "Kannada": (0xC85, 0xCB9),
    "Malayalam": (0xD05, 0xD3A),
    "Sinhala": (0xD85, 0xDC6),
    "Thai": (0xE01, 0xE2E),
    "Lao": (0xE81, 0xEAE),
    "Myanmar": (0x1000, 0x102A),
    "Georgian": (0x10D0, 0x10FA),
    "Khmer": (0x1780, 0x17A2),
    "Ethiopic": (0x1200, 0x1248),
    "Hiragana": (0x3041, 0x3093),
    "Katakana": (0x30A1, 0x30F4),
}
# (codec, first and last lead byte): GB 2312 level 1, JIS X 0208 level 1, KS X 1001 Hangul.
_CODEC_ROWS = {"gb2312": (0xB0, 0xD7), "euc_jp": (0xB0, 0xCF), "euc_kr": (0xB0, 0xC8)}


def _drawable(char: str, script: str) -> bool:
    return (
        char_info(char)[:2] == (script, True)
        and unicodedata.category(char) in ("Ll", "Lo")
        and unicodedata.normalize("NFKC", char) == char
        and stands_alone(char)
    )


def _from_codec(codec: str, script: str) -> tuple[str, ...]:
    first, last = _CODEC_ROWS[codec]
    out = []
    for lead in range(first, last + 1):
        for trail in range(0xA1, 0xFF):
            try:
                char = bytes((lead, trail)).decode(codec)
            except UnicodeDecodeError:
                continue
            if _drawable(char, script):
                out.append(char)
    return tuple(out)


@lru_cache(maxsize=None)
def alphabet(lang: str, script: str) -> tuple[str, ...]:
    """Letters to draw for a word of ``script`` in a text of ``lang``; empty if none."""
    if script == "Han":
        return _from_codec("euc_jp" if lang == "ja" else "gb2312", script)
    if script == "Hangul":
        return _from_codec("euc_kr", script)
    if script not in ("Hiragana", "Katakana") and lang in layouts.available():
        typed = tuple(c for c in layouts.letters(lang, script) if _drawable(c, script))
        if len(typed) >= MIN_KEYBOARD_LETTERS:
            return typed
    first, last = _BASIC.get(script, (1, 0))
    return tuple(c for c in map(chr, range(first, last + 1)) if _drawable(c, script))
