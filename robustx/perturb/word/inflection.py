"""Inflection noise from simplemma's lemma tables (after Tan et al. 2020, "It's Morphin' Time").

Morpheus perturbs the inflection of content words; without a morphological
generator for every language, this recipe uses simplemma's form -> lemma
dictionaries (Barbaresi; 54 languages, built from Wiktionary and other open
sources), in one of two modes:

- ``lemma`` (default): a word whose lemma differs from it becomes its lemma
  (``gingen`` -> ``gehen``, ``books`` -> ``book``);
- ``inflect``: a word becomes another form of its lemma, drawn uniformly from the
  forms the dictionary maps to the same lemma (the lemma included): Morpheus's
  search space with a random instead of an adversarial choice. The tables hold
  rare and odd forms too (``you`` -> ``youing``, Turkish ``Bu`` -> ``Bunlardanım``):
  noisier than Morpheus, which keeps only forms that the victim model fails on.

simplemma loads a table on first use of a language (0.1-1.3 s; Swahili's 4.9 M forms
4.5 s); ``inflect`` also inverts it once per process (up to a few seconds and a few
hundred MB for German, Russian, Swahili).

Only stand-alone words (``units.lexical_words``, so never ``don`` of ``don't``) of
the language's script are changed; candidates are single words of the same
script, different from the word in more than case, and take its capitalisation.
``units`` counts the words with a candidate; ``rate`` of them change.
simplemma has no tables for Chinese, Japanese, Korean, Thai, Vietnamese and Urdu
(isolating languages, mostly, where inflection noise means little):
``unsupported_reason`` says so.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from functools import lru_cache

from robustx.errors import ParamsError, RobustxError
from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.editing import check_rate, choose
from robustx.perturb.word.units import cluster_safe, lexical_words, match_case, scripts_for, single_word
from robustx.text import LANGUAGES

MODES = ("lemma", "inflect")
_LOCK = threading.Lock()


@dataclass(frozen=True)
class InflectionParams:
    """``rate``: fraction of words with a candidate changed; ``mode``: ``lemma`` or ``inflect``."""

    rate: float = 0.1
    mode: str = "lemma"

    def __post_init__(self) -> None:
        check_rate(self.rate)
        if self.mode not in MODES:
            raise ParamsError(f"mode must be one of {', '.join(MODES)}; got {self.mode!r}")


def _simplemma():
    try:
        import simplemma
        from simplemma.strategies.dictionaries import DefaultDictionaryFactory
    except ImportError:  # pragma: no cover - a declared dependency
        raise RobustxError("word.inflection needs the package simplemma: pip install 'simplemma>=2.0'") from None
    return simplemma, DefaultDictionaryFactory


@lru_cache(maxsize=1)
def supported() -> frozenset[str]:
    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

    return frozenset(SUPPORTED_LANGUAGES)


@lru_cache(maxsize=8)
def _forms(lang: str) -> dict[str, tuple[str, ...]]:
    """lemma -> its forms (sorted), from simplemma's dictionary for ``lang``."""
    _, factory = _simplemma()
    table: dict[str, list[str]] = {}
    for form, lemma in factory(cache_max_size=1).get_dictionary(lang).items():
        table.setdefault(lemma, []).append(form)
    return {lemma: tuple(sorted(forms)) for lemma, forms in table.items()}


@lru_cache(maxsize=1 << 18)  # words repeat (Zipf): most lookups hit
def _candidates(lang: str, mode: str, surface: str, scripts: frozenset[str]) -> tuple[str, ...]:
    simplemma, _ = _simplemma()
    lemma = simplemma.lemmatize(surface, lang=lang)
    if mode == "lemma":
        pool: tuple[str, ...] = (lemma,)
    else:
        with _LOCK:
            forms = _forms(lang)
        pool = forms.get(lemma, ()) + (lemma,)
    out = set()
    for form in pool:
        if single_word(form, scripts):
            if lemma[:1].islower() and form[:1].isupper() and len(form[0].lower()) == 1:
                form = form[0].lower() + form[1:]  # a sentence-initial spelling in the table
            new = match_case(surface, form)
            if new.lower() != surface.lower():
                out.add(new)
    return tuple(sorted(out))


class Inflection(Perturbation):
    name = "word.inflection"
    family = "word"
    Params = InflectionParams

    def unsupported_reason(self, lang: str) -> str | None:
        if lang not in supported():
            return "no simplemma lemma table"
        return None

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        reason = self.unsupported_reason(lang)
        if reason:
            raise RobustxError(f"{self.name}: {reason}")
        language = LANGUAGES.get(lang)
        slots = []
        for word in lexical_words(text):
            if language and word.script not in language.scripts:
                continue  # a foreign word: the language's table does not know it
            found = _candidates(lang, self.params.mode, text[word.start : word.end], scripts_for(lang, word.script))
            if found:
                slots.append((word, found))
        edits = [
            Edit("", w.start, w.end, text[w.start : w.end], rng.choice(found), self.params.mode)
            for w, found in choose(slots, self.params.rate, rng)
        ]
        out, kept = cluster_safe(text, edits)
        return PerturbedText(out, tuple(kept), len(slots), len(kept))
