"""The writing system of a character.

``char_script`` names the Unicode Script property value of a character among the
scripts listed in ``SCRIPTS`` (those of the XTREME languages and their neighbours).
``Common`` (punctuation, digits, symbols, the kana prolonged-sound mark) and
``Inherited`` (combining marks shared across scripts) are reported as such; a
letter of any other script is reported as ``"Other"``.
"""

from __future__ import annotations

import regex

SCRIPTS: tuple[str, ...] = (
    "Latin", "Greek", "Cyrillic", "Armenian", "Hebrew", "Arabic", "Syriac", "Thaana", "Nko",
    "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada",
    "Malayalam", "Sinhala", "Thai", "Lao", "Tibetan", "Myanmar", "Georgian", "Hangul",
    "Ethiopic", "Cherokee", "Canadian_Aboriginal", "Khmer", "Mongolian", "Hiragana", "Katakana",
    "Bopomofo", "Han", "Yi", "Tifinagh", "Javanese", "Balinese", "Sundanese", "Ol_Chiki",
    "Vai", "Adlam", "Tai_Le", "Tai_Tham", "Tai_Viet", "Buginese", "Batak", "Tagalog",
    "Common", "Inherited",
)  # fmt: skip

_SCRIPT = regex.compile("|".join(f"(?P<{name}>\\p{{Script={name}}})" for name in SCRIPTS))
_LETTER = regex.compile(r"\p{L}")
_MARK = regex.compile(r"\p{M}")
# One entry per distinct code point seen: bounded by the size of Unicode.
_CACHE: dict[str, tuple[str, bool, bool]] = {}


def char_info(char: str) -> tuple[str, bool, bool]:
    """``(script, is_letter, is_mark)`` of one code point, cached."""
    info = _CACHE.get(char)
    if info is None:
        match = _SCRIPT.match(char)
        script = match.lastgroup if match else "Other"
        info = (script or "Other", bool(_LETTER.match(char)), bool(_MARK.match(char)))
        _CACHE[char] = info
    return info


def char_script(char: str) -> str:
    """The script of one code point, e.g. ``"Latin"``, ``"Han"``, ``"Common"``."""
    return char_info(char)[0]


def is_letter(char: str) -> bool:
    """Whether one code point has General Category L (any letter)."""
    return char_info(char)[1]


def is_mark(char: str) -> bool:
    """Whether one code point has General Category M (a combining mark)."""
    return char_info(char)[2]
