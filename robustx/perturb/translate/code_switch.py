"""Word-level code-switching with bilingual dictionaries (PolyGloss-style, Tan & Joty 2021).

A chosen word of the text (the matrix language) is replaced by its translation into
one of the ``embedded`` languages: the language is drawn uniformly among those whose
dictionary has the word, the translation uniformly among its ``top_k`` most frequent
translations in that language (``top_k = 1``: always the most frequent). Case follows
the replaced word (``Die`` for ``The``). Unlike PolyGloss this is not an adversarial
search: words and languages are drawn at random, which measures robustness to
code-mixed input rather than a worst case.

``units`` counts the words some embedded language's dictionary translates (see
``lexicon.lexical_units``: standalone words, or dictionary matches in scripts without
spaces), ``changed`` the words replaced; ``rate`` is the fraction of those units
replaced. Dictionaries: MUSE (``lexicon``); a pair without a direct dictionary
(neither side English) goes through English when ``pivot`` is true, which is noisier.
Translations are single dictionary words, not inflected for context.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from robustx.errors import ParamsError
from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.editing import apply, check_rate, choose
from robustx.perturb.translate import lexicon
from robustx.text import LANGUAGES

def check_languages(codes: object, what: str) -> tuple[str, ...]:
    """``codes`` as a sorted tuple of known ISO 639-1 codes (one spelling per set, for stable seeds)."""
    values = (codes,) if isinstance(codes, str) else tuple(codes)  # type: ignore[arg-type]
    unknown = [c for c in values if c not in LANGUAGES]
    if unknown or not values:
        raise ParamsError(f"{what} must be a non-empty list of ISO 639-1 codes of XTREME languages; got {list(values)}")
    return tuple(sorted(set(values)))


@dataclass(frozen=True)
class CodeSwitchParams:
    """``rate``: fraction of translatable words replaced; ``embedded``: languages they come from;
    ``top_k``: translations drawn from; ``pivot``: compose X->en->Y dictionaries; ``lexical_dir``:
    the MUSE folder (default: ``ROBUSTX_LEXICAL_DIR``)."""

    rate: float = 0.3
    embedded: tuple[str, ...] = ("de", "es", "fr", "ru", "zh")
    top_k: int = 1
    pivot: bool = True
    lexical_dir: str = ""

    def __post_init__(self) -> None:
        check_rate(self.rate)
        object.__setattr__(self, "embedded", check_languages(self.embedded, "embedded"))
        if isinstance(self.top_k, bool) or not isinstance(self.top_k, int) or self.top_k < 1:
            raise ParamsError(f"top_k must be a positive integer, got {self.top_k!r}")
        if not isinstance(self.pivot, bool):
            raise ParamsError(f"pivot must be true or false, got {self.pivot!r}")
        if not isinstance(self.lexical_dir, str):
            raise ParamsError(f"lexical_dir must be a string, got {self.lexical_dir!r}")


class CodeSwitch(Perturbation):
    name = "translate.code_switch"
    family = "translate"
    cross_script = True
    Params = CodeSwitchParams
    location_params = ("lexical_dir",)

    def __init__(self, params: CodeSwitchParams) -> None:
        super().__init__(params)
        self._lookups: dict[str, tuple[Mapping[str, lexicon.Options], frozenset[str]]] = {}

    def _embedded(self, lang: str) -> list[str]:
        folder = lexicon.muse_dir(self.params.lexical_dir, self.name)
        return [e for e in self.params.embedded if e != lang and lexicon.has_table(folder, lang, e, self.params.pivot)]

    def resource_files(self, lang: str) -> tuple[Path, ...]:
        folder = lexicon.muse_dir(self.params.lexical_dir, self.name)
        return tuple(f for e in self._embedded(lang) for f in lexicon.table_files(folder, lang, e, self.params.pivot))

    def unsupported_reason(self, lang: str) -> str | None:
        if self._embedded(lang):
            return None
        if self.params.embedded == (lang,):
            return f"the only embedded language is {lang} itself"
        return lexicon.missing(lang, self.params.embedded, self.params.pivot)

    def _lookup(self, lang: str) -> tuple[Mapping[str, lexicon.Options], frozenset[str]]:
        found = self._lookups.get(lang)
        if found is None:
            folder, pivot = str(lexicon.muse_dir(self.params.lexical_dir, self.name)), self.params.pivot
            embedded = tuple(self._embedded(lang))
            found = self._lookups[lang] = (lexicon.options_table(folder, lang, embedded, pivot, self.params.top_k),
                                           lexicon.merged_prefixes(folder, lang, embedded, pivot))
        return found

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        options, prefixes = self._lookup(lang)
        units = [u for u in lexicon.lexical_units(text, options.__contains__, prefixes) if u.key in options]
        edits = []
        for unit in choose(units, self.params.rate, rng):
            language, translations = rng.choice(options[unit.key])
            before = text[unit.start : unit.end]
            chosen = rng.choice(translations)
            after = lexicon.match_case(before, "I" if (language, chosen) == ("en", "i") else chosen)
            edits.append(Edit("", unit.start, unit.end, before, after, f"code_switch:{language}"))
        return PerturbedText(apply(text, edits), tuple(edits), len(units), len(edits))
