"""Bilingual dictionaries (MUSE), frequency ranking (wordfreq) and lexical units.

Dictionaries are the MUSE ground-truth files ``<src>-<tgt>.txt`` (one ``source target``
pair per line, lower case, several targets per source). They are read from a folder
given by a recipe's ``lexical_dir`` parameter or the ``ROBUSTX_LEXICAL_DIR`` variable:
the folder itself or its ``muse/`` subfolder (so ``../shared/data/lexical`` works).
MUSE pairs every language with English only; a pair without a file (``de-fr``) is
composed through English when the recipe allows it (``pivot``): the source word's
three most frequent English translations, then their translations. That is noisier
than a direct dictionary (senses multiply), which the recipes' docs say.

Each word's translations are ranked by their frequency in the target language
(``wordfreq``'s ``small`` list: the ~30,000 most frequent words, which loads in 10 ms
where the full list takes a second), most frequent first; ties (both rarer than the
list), and languages wordfreq does not cover (Thai, Swahili), keep the file's order. Ranking by frequency fixes most
first-sense errors of raw MUSE order (``the -> die`` rather than ``den``). A word may
translate to itself (names, cognates: ``force -> force``); recipes keep that in the
ranking, so that a cognate is left alone rather than replaced by a rarer sense.

Everything is loaded once per process and cached; loading does not count towards a
recipe's throughput.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import AbstractSet, Callable, Mapping, NamedTuple

import regex

from robustx.errors import RobustxError
from robustx.perturb.lexical import lexical_root, origin
from robustx.text import CHUNK_SIZE, char_script, graphemes

PIVOT = "en"
PIVOT_FANOUT = 3  # English senses of a source word that a pivoted pair goes through

Table = Mapping[str, tuple[str, ...]]


def muse_dir(configured: str, recipe: str) -> Path:
    """The folder holding ``<src>-<tgt>.txt``, from a parameter or ``ROBUSTX_LEXICAL_DIR``."""
    path = lexical_root(configured, recipe, "the MUSE bilingual dictionaries (muse/<src>-<tgt>.txt)")
    for folder in (path / "muse", path):
        if folder.is_dir() and any(folder.glob("*-*.txt")):
            return folder
    raise RobustxError(
        f"{recipe}: no MUSE dictionaries (<src>-<tgt>.txt) in {path} or {path / 'muse'} (from {origin(configured)})"
    )


def missing(src: str, targets: tuple[str, ...], pivot: bool) -> str:
    """Why no dictionary leads from ``src`` to any of ``targets`` (for ``unsupported_reason``)."""
    others = [t for t in targets if t != src]
    via = " (directly or through English)" if pivot and PIVOT != src and any(t != PIVOT for t in others) else ""
    return f"no MUSE dictionary from {src} to {' or '.join(others)}{via}"


def has_table(folder: Path, src: str, tgt: str, pivot: bool) -> bool:
    """Whether a dictionary from ``src`` to ``tgt`` exists, directly or through English."""
    if (folder / f"{src}-{tgt}.txt").is_file():
        return True
    return (pivot and PIVOT not in (src, tgt)
            and (folder / f"{src}-{PIVOT}.txt").is_file() and (folder / f"{PIVOT}-{tgt}.txt").is_file())


def table_files(folder: Path, src: str, tgt: str, pivot: bool) -> tuple[Path, ...]:
    """The dictionary files ``table(folder, src, tgt, pivot)`` reads."""
    direct = folder / f"{src}-{tgt}.txt"
    if direct.is_file():
        return (direct,)
    if has_table(folder, src, tgt, pivot):
        return folder / f"{src}-{PIVOT}.txt", folder / f"{PIVOT}-{tgt}.txt"
    return ()


@lru_cache(maxsize=None)
def _pairs(path: str) -> dict[str, list[str]]:
    """Source word -> its targets in file order (duplicates dropped)."""
    out: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) != 2:
                continue  # MUSE has no multi-word entries; skip anything else
            src, tgt = parts
            targets = out.setdefault(src, [])
            if tgt not in targets:
                targets.append(tgt)
    return out


@lru_cache(maxsize=None)
def frequencies(lang: str) -> Mapping[str, float]:
    """wordfreq's frequencies for ``lang``; empty where wordfreq has no list."""
    try:
        import wordfreq
    except ImportError:
        raise RobustxError("the translation recipes rank translations with wordfreq: pip install wordfreq") from None
    if lang not in wordfreq.available_languages():
        return {}
    return wordfreq.get_frequency_dict(lang, wordlist="small")


def _rank(raw: Mapping[str, list[str]], lang: str) -> dict[str, tuple[str, ...]]:
    freq = frequencies(lang)
    # sorted() is stable: equal frequencies keep the file's order.
    return {src: tuple(sorted(tgts, key=lambda t: -freq.get(t, 0.0))) for src, tgts in raw.items()}


@lru_cache(maxsize=None)
def _ranked(folder: str, src: str, tgt: str) -> dict[str, tuple[str, ...]]:
    return _rank(_pairs(str(Path(folder) / f"{src}-{tgt}.txt")), tgt)


@lru_cache(maxsize=None)
def table(folder: str, src: str, tgt: str, pivot: bool) -> Table:
    """``src`` word (lower case) -> its ``tgt`` translations, most frequent first.

    Empty when there is no dictionary (see ``has_table``).
    """
    base = Path(folder)
    if (base / f"{src}-{tgt}.txt").is_file():
        ranked = _ranked(folder, src, tgt)
    elif has_table(base, src, tgt, pivot):
        first, second = _ranked(folder, src, PIVOT), _pairs(str(base / f"{PIVOT}-{tgt}.txt"))
        composed: dict[str, list[str]] = {}
        for word, english in first.items():
            targets = composed[word] = []
            for sense in english[:PIVOT_FANOUT]:
                targets.extend(t for t in second.get(sense, ()) if t not in targets)
        ranked = _rank(composed, tgt)
    else:
        return {}
    return {word: tgts for word, tgts in ranked.items() if tgts}


@lru_cache(maxsize=None)
def unspaced_prefixes(folder: str, src: str, tgt: str, pivot: bool) -> frozenset[str]:
    """Every prefix of the words of ``table(...)`` written without spaces, for ``lexical_units``."""
    return frozenset(key[:i] for key in table(folder, src, tgt, pivot) if UNSPACED.search(key)
                     for i in range(1, len(key) + 1))


Options = tuple[tuple[str, tuple[str, ...]], ...]


@lru_cache(maxsize=None)
def options_table(folder: str, src: str, embedded: tuple[str, ...], pivot: bool, top_k: int) -> Mapping[str, Options]:
    """``src`` word -> ``(language, its top_k translations other than itself)`` for each of the
    ``embedded`` languages whose dictionary has it, in ``embedded`` order; words whose only
    translation is themselves (cognates, names) are left out. Merged once, when loaded."""
    merged: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for language in embedded:
        for word, translations in table(folder, src, language, pivot).items():
            kept = tuple(t for t in translations[:top_k] if t != word)
            if kept:
                merged.setdefault(word, []).append((language, kept))
    return {word: tuple(options) for word, options in merged.items()}


@lru_cache(maxsize=None)
def merged_prefixes(folder: str, src: str, embedded: tuple[str, ...], pivot: bool) -> frozenset[str]:
    """``unspaced_prefixes`` of all the ``embedded`` languages' dictionaries together."""
    return frozenset().union(*(unspaced_prefixes(folder, src, language, pivot) for language in embedded))


class Unit(NamedTuple):
    """A stretch ``[start, end)`` of a text that can be looked up as ``key`` (lower case)."""

    start: int
    end: int
    key: str


_UNSPACED_CLASS = "".join(rf"\p{{Script={script}}}" for script in CHUNK_SIZE) + "\u30fc"
# A token: letters, marks, digits, joiners and word-internal punctuation (don't, x-ray).
TOKEN = regex.compile(r"[\p{L}\p{M}\p{Nd}\u200c\u200d'’‐-]+")
_WORD = regex.compile(r"\p{L}[\p{L}\p{M}\u200c\u200d]*")
UNSPACED = regex.compile(rf"[{_UNSPACED_CLASS}][{_UNSPACED_CLASS}\p{{M}}]*")


@lru_cache(maxsize=None)
def _one_script(script: str) -> regex.Pattern:
    return regex.compile(rf"[\p{{Script={script}}}\p{{Script=Common}}\p{{Script=Inherited}}\u200c\u200d]+")


def lexical_units(text: str, known: Callable[[str], bool], prefixes: AbstractSet[str]) -> list[Unit]:
    """The stretches of ``text`` a dictionary can translate, in order, without overlap.

    Text is cut into tokens: maximal runs of letters, marks, digits, zero-width
    joiners and word-internal punctuation (``'``, ``’``, ``-``). In scripts with spaces
    a unit is a whole token made of letters (and their marks) of one script, whether
    ``known`` or not: a word inside a longer token (``don't``, ``x-ray``, ``COVID19``,
    ``Tokyo東京``) is never one, so replacing a unit cannot split a token. In scripts
    without spaces (those of ``robustx.text.CHUNK_SIZE``: Han, kana, Thai, Lao, Khmer,
    Myanmar) tokens are not words, so each run of such letters is segmented by forward
    maximum matching against the dictionary: the longest ``known`` entry at each
    position (grown one grapheme cluster at a time while it is one of ``prefixes``),
    else one cluster is skipped. That is the classic dictionary segmenter for Chinese; it finds dictionary words only.
    """
    out: list[Unit] = []
    for token in TOKEN.finditer(text):
        word = token.group()
        if UNSPACED.search(word) is None:
            script = char_script(word[0])
            if _WORD.fullmatch(word) and script != "Other" and _one_script(script).fullmatch(word):
                out.append(Unit(token.start(), token.end(), word.lower()))
            continue
        for run in UNSPACED.finditer(word):
            clusters = graphemes(run.group())  # caseless scripts: no lower() needed
            pos, at = 0, token.start() + run.start()
            while pos < len(clusters):
                piece, best, end = "", "", pos
                while end < len(clusters) and (piece := piece + clusters[end]) in prefixes:
                    end += 1
                    if known(piece):
                        best, best_end = piece, end
                if best:
                    out.append(Unit(at, at + len(best), best))
                    pos, at = best_end, at + len(best)
                else:
                    pos, at = pos + 1, at + len(clusters[pos])
    return out


def match_case(source: str, target: str) -> str:
    """``target`` in the case pattern of ``source``: ALL CAPS, Capitalized or as is."""
    if len(source) > 1 and source.isupper():
        return target.upper()
    if source[:1].isupper() and target[:1].islower():
        return target[:1].upper() + target[1:]
    return target
