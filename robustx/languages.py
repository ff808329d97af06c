"""Language codes: robustx speaks ISO 639-1 (BCP-47 primary subtags) everywhere.

Files that use three-letter codes are translated at the edge, through the tables
here. ISO 639-3 choices differ between resources (Arabic is ``ara`` in LASER's
Tatoeba files but ``arb`` in wordnets; Swahili ``swh`` vs ``swa``), so each table
names the resource it is for.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Mapping

from robustx.errors import RobustxError
from robustx.text.languages import LANGUAGES

XTREME_LANGUAGES: frozenset[str] = frozenset(LANGUAGES)

# LASER Tatoeba v1 file codes of XTREME's 36 Tatoeba languages, as in XTREME's own
# preprocessing (utils_preprocess.py); English is the target side of every pair.
TATOEBA_CODES: Mapping[str, str] = {
    "af": "afr", "ar": "ara", "bg": "bul", "bn": "ben", "de": "deu", "el": "ell",
    "es": "spa", "et": "est", "eu": "eus", "fa": "pes", "fi": "fin", "fr": "fra",
    "he": "heb", "hi": "hin", "hu": "hun", "id": "ind", "it": "ita", "ja": "jpn",
    "jv": "jav", "ka": "kat", "kk": "kaz", "ko": "kor", "ml": "mal", "mr": "mar",
    "nl": "nld", "pt": "por", "ru": "rus", "sw": "swh", "ta": "tam", "te": "tel",
    "th": "tha", "tl": "tgl", "tr": "tur", "ur": "urd", "vi": "vie", "zh": "cmn",
    "en": "eng",
}

# Codes people type for XTREME languages that are not ISO 639-1: deprecated codes,
# country codes and other three-letter variants. Used only for suggestions.
_ALIASES: Mapping[str, str] = {
    "iw": "he", "in": "id", "jw": "jv", "jp": "ja", "cn": "zh", "kr": "ko", "gr": "el",
    "fil": "tl", "arb": "ar", "swa": "sw", "fas": "fa", "per": "fa", "zho": "zh",
    "chi": "zh", "msa": "ms", "zsm": "ms", "ger": "de", "fre": "fr",
    **{iso3: iso1 for iso1, iso3 in TATOEBA_CODES.items()},
}


def suggest_language(lang: str, supported: Iterable[str]) -> str | None:
    """The supported code ``lang`` most likely meant (``"deu"``, ``"DE"``, ``"zh-CN"`` -> ...)."""
    options = sorted(supported)
    primary = lang.strip().lower().replace("_", "-").split("-")[0]
    for guess in (primary, _ALIASES.get(primary)):
        if guess in options and guess != lang:
            return guess
    close = difflib.get_close_matches(primary, options, n=1)
    return close[0] if close else None


def check_language(lang: str, supported: Iterable[str], owner: str = "XTREME") -> str:
    """Return ``lang`` if it is in ``supported``.

    Args:
        lang: the code as the user wrote it.
        supported: the codes accepted here.
        owner: what the list belongs to, for the message (e.g. ``"task 'xnli'"``).

    Raises:
        RobustxError: naming the language, a did-you-mean and the supported codes.
    """
    options = sorted(supported)
    if lang in options:
        return lang
    guess = suggest_language(lang, options)
    hint = f" (did you mean {guess!r}?)" if guess else ""
    raise RobustxError(f"{owner} has no language {lang!r}{hint}; supported: {', '.join(options)}")
