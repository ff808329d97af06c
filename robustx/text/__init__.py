"""Script-aware text utilities: grapheme clusters, scripts, words, language info."""

from robustx.text.graphemes import grapheme_spans, graphemes, stands_alone
from robustx.text.languages import LANGUAGES, Language
from robustx.text.scripts import char_script, is_letter, is_mark
from robustx.text.words import CHUNK_SIZE, Word, words

__all__ = [
    "CHUNK_SIZE",
    "LANGUAGES",
    "Language",
    "Word",
    "char_script",
    "grapheme_spans",
    "graphemes",
    "is_letter",
    "is_mark",
    "stands_alone",
    "words",
]
