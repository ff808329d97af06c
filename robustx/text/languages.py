"""The 40 XTREME languages and the scripts their benchmark text is written in.

``scripts`` lists the main script first; Japanese has three, Korean text in XTREME
is Hangul (Hanja is rare). Javanese, Malay, Indonesian, Tagalog, Swahili and Yoruba
are written in Latin script in the XTREME data.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple


class Language(NamedTuple):
    code: str
    name: str
    scripts: tuple[str, ...]


def _table(*rows: tuple[str, str, str]) -> dict[str, Language]:
    return {code: Language(code, name, tuple(scripts.split())) for code, name, scripts in rows}


LANGUAGES: Mapping[str, Language] = _table(
    ("af", "Afrikaans", "Latin"),
    ("ar", "Arabic", "Arabic"),
    ("bg", "Bulgarian", "Cyrillic"),
    ("bn", "Bengali", "Bengali"),
    ("de", "German", "Latin"),
    ("el", "Greek", "Greek"),
    ("en", "English", "Latin"),
    ("es", "Spanish", "Latin"),
    ("et", "Estonian", "Latin"),
    ("eu", "Basque", "Latin"),
    ("fa", "Persian", "Arabic"),
    ("fi", "Finnish", "Latin"),
    ("fr", "French", "Latin"),
    ("he", "Hebrew", "Hebrew"),
    ("hi", "Hindi", "Devanagari"),
    ("hu", "Hungarian", "Latin"),
    ("id", "Indonesian", "Latin"),
    ("it", "Italian", "Latin"),
    ("ja", "Japanese", "Han Hiragana Katakana"),
    ("jv", "Javanese", "Latin"),
    ("ka", "Georgian", "Georgian"),
    ("kk", "Kazakh", "Cyrillic"),
    ("ko", "Korean", "Hangul"),
    ("ml", "Malayalam", "Malayalam"),
    ("mr", "Marathi", "Devanagari"),
    ("ms", "Malay", "Latin"),
    ("my", "Burmese", "Myanmar"),
    ("nl", "Dutch", "Latin"),
    ("pt", "Portuguese", "Latin"),
    ("ru", "Russian", "Cyrillic"),
    ("sw", "Swahili", "Latin"),
    ("ta", "Tamil", "Tamil"),
    ("te", "Telugu", "Telugu"),
    ("th", "Thai", "Thai"),
    ("tl", "Tagalog", "Latin"),
    ("tr", "Turkish", "Latin"),
    ("ur", "Urdu", "Arabic"),
    ("vi", "Vietnamese", "Latin"),
    ("yo", "Yoruba", "Latin"),
    ("zh", "Chinese", "Han"),
)
