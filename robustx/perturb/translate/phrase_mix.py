"""Phrase-level code-mixing from aligned translations (Bumblebee-style, Tan & Joty 2021).

Bumblebee replaces phrases of an example with the aligned phrases of its translation
in another (embedded) language. The benchmark's own human translations (same row in
another language, through the runner's ``AlignedIndex``) supply the phrases, so the
inserted text is a real, context-correct translation, not a dictionary guess. Unlike
Bumblebee this is not an adversarial search: phrases are drawn at random.

Alignment (embedding-free, no neural aligner; Bumblebee used one):

1. The field is cut into lexical units (``lexicon.lexical_units``: standalone words;
   dictionary matches in scripts without spaces).
2. Anchors: a unit is linked to an occurrence in the aligned translation of one of
   its MUSE translations into the embedded language (through English when neither is
   English and ``pivot`` is set), or of itself (names, numbers written in letters,
   cognates; three letters or more). Occurrences in scripts with spaces must be whole
   tokens; in scripts without spaces any substring counts. Of its occurrences the one
   closest in relative position (character offset / length) is kept, and only within
   ``window`` of it. Each translation occurrence serves at most one unit (closest
   first).
3. Phrases: anchors in source order are grouped while they stay monotone, at most one
   unlinked word lies between consecutive anchors on either side, no other anchor
   falls inside the group's translation span, and the group spans at most
   ``max_words`` source words. A phrase replaces the source text from its first to
   its last anchor (unlinked words between included) by the translation text from
   its first to its last anchor. Phrases whose translation equals the source are dropped.

Limits: recall is bounded by the dictionary (MUSE coverage, one sense per word form,
no inflection matching: ``sleeps`` does not link to ``duerme`` unless MUSE lists that
form), so many words stay unlinked; swapped word order (adjective-noun) splits into
single-word phrases rather than one phrase; in scripts without spaces segmentation is
dictionary-based. Phrases keep the translation's own case. ``units`` counts the
aligned phrases of a field, ``changed`` those replaced; ``rate`` is their fraction.
One embedded language per field, drawn uniformly among those with the row.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, NamedTuple

from robustx.errors import ParamsError, RobustxError
from robustx.perturb.base import Edit, Perturbation, PerturbedText, ShardContext
from robustx.perturb.editing import apply, check_rate, choose
from robustx.perturb.translate import lexicon
from robustx.perturb.translate.code_switch import check_languages
from robustx.perturb.translate.pair_mix import aligned_example
from robustx.tasks.base import Example
from robustx.text import graphemes

MAX_GAP = 1  # unlinked words allowed between two anchors of one phrase, on either side
MIN_IDENTITY = 3  # a word links to an identical word of the translation only from this length


@dataclass(frozen=True)
class PhraseMixParams:
    """``rate``: fraction of aligned phrases replaced; ``embedded``: languages whose aligned
    translations supply them; ``max_words``: longest phrase, in source words; ``window``:
    largest relative-position difference of a link; ``pivot``: compose X->en->Y dictionaries;
    ``lexical_dir``: the MUSE folder (default: ``ROBUSTX_LEXICAL_DIR``)."""

    rate: float = 0.5
    embedded: tuple[str, ...] = ("de", "en", "es", "fr")
    max_words: int = 4
    window: float = 0.3
    pivot: bool = True
    lexical_dir: str = ""

    def __post_init__(self) -> None:
        check_rate(self.rate)
        object.__setattr__(self, "embedded", check_languages(self.embedded, "embedded"))
        if isinstance(self.max_words, bool) or not isinstance(self.max_words, int) or self.max_words < 1:
            raise ParamsError(f"max_words must be a positive integer, got {self.max_words!r}")
        if isinstance(self.window, bool) or not isinstance(self.window, (int, float)) or not 0 < self.window <= 1:
            raise ParamsError(f"window must be in (0, 1], got {self.window!r}")
        if not isinstance(self.pivot, bool):
            raise ParamsError(f"pivot must be true or false, got {self.pivot!r}")
        if not isinstance(self.lexical_dir, str):
            raise ParamsError(f"lexical_dir must be a string, got {self.lexical_dir!r}")


class Anchor(NamedTuple):
    unit: int  # index of the source unit
    start: int  # its occurrence in the translation
    end: int
    distance: float


class Phrase(NamedTuple):
    start: int  # in the source text
    end: int
    target_start: int  # in the translation
    target_end: int


def _lower(text: str) -> str:
    """``text`` in lower case, same length (characters whose lower case is longer stay)."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _whole(text: str, start: int, end: int) -> bool:
    """Whether ``[start, end)`` of ``text`` is a whole token (or lies in a script without spaces)."""
    if lexicon.UNSPACED.match(text, start):
        return True
    return not any(lexicon.TOKEN.fullmatch(c) for c in (text[start - 1 : start], text[end : end + 1]) if c)


def _words_in(text: str) -> int:
    """Words in ``text``: tokens, with runs of scripts without spaces counted two clusters a word."""
    count = 0
    for token in lexicon.TOKEN.finditer(text):
        runs = lexicon.UNSPACED.findall(token.group())
        count += sum(math.ceil(len(graphemes(run)) / 2) for run in runs) if runs else 1
    return count


def align(text: str, target: str, table: lexicon.Table, prefixes: frozenset[str], window: float, max_words: int) -> list[Phrase]:
    """The aligned phrases of ``text`` in its translation ``target`` (see the module docstring)."""
    units = lexicon.lexical_units(text, table.__contains__, prefixes)
    if not units or not target:
        return []
    low = _lower(target)
    candidates: list[Anchor] = []
    for k, unit in enumerate(units):
        here = (unit.start + unit.end) / 2 / len(text)
        forms = set(table.get(unit.key, ()))
        if len(unit.key) >= MIN_IDENTITY:
            forms.add(unit.key)
        best: Anchor | None = None
        for form in sorted(forms):  # sorted: ties resolve the same way in every process
            at = low.find(form)
            while at != -1:
                end = at + len(form)
                distance = abs((at + end) / 2 / len(target) - here)
                if distance <= window and _whole(target, at, end):
                    if best is None or (distance, at - end) < (best.distance, best.start - best.end):
                        best = Anchor(k, at, end, distance)
                at = low.find(form, at + 1)
        if best is not None:
            candidates.append(best)
    anchors: list[Anchor] = []
    for cand in sorted(candidates, key=lambda a: (a.distance, a.unit)):
        if all(cand.end <= a.start or a.end <= cand.start for a in anchors):
            anchors.append(cand)
    anchors.sort()

    def fits(group: list[Anchor], nxt: Anchor) -> bool:
        last = group[-1]
        if nxt.start < last.end or nxt.unit - last.unit - 1 > MAX_GAP or nxt.unit - group[0].unit + 1 > max_words:
            return False
        if _words_in(target[last.end : nxt.start]) > MAX_GAP:
            return False
        inside = {a.unit for a in group} | {nxt.unit}
        return not any(a.unit not in inside and a.start < nxt.end and group[0].start < a.end for a in anchors)

    groups: list[list[Anchor]] = []
    for anchor in anchors:
        if groups and fits(groups[-1], anchor):
            groups[-1].append(anchor)
        else:
            groups.append([anchor])
    phrases = []
    for group in groups:
        phrase = Phrase(units[group[0].unit].start, units[group[-1].unit].end, group[0].start, group[-1].end)
        if text[phrase.start : phrase.end] != target[phrase.target_start : phrase.target_end]:
            phrases.append(phrase)
    return phrases


class PhraseMix(Perturbation):
    name = "translate.phrase_mix"
    family = "translate"
    cross_script = True
    Params = PhraseMixParams
    location_params = ("lexical_dir",)

    def __init__(self, params: PhraseMixParams) -> None:
        super().__init__(params)
        self._rows: Mapping[str, Mapping[str, Example]] | None = None

    def _folder(self) -> str:
        return str(lexicon.muse_dir(self.params.lexical_dir, self.name))

    def aligned_languages(self, lang: str) -> tuple[str, ...]:
        return tuple(e for e in self.params.embedded if e != lang)

    def resource_files(self, lang: str) -> tuple[Path, ...]:
        folder = lexicon.muse_dir(self.params.lexical_dir, self.name)
        return tuple(f for e in self.aligned_languages(lang) for f in lexicon.table_files(folder, lang, e, self.params.pivot))

    def unsupported_reason(self, lang: str) -> str | None:
        if not self.aligned_languages(lang):
            return f"the only embedded language is {lang} itself"
        folder = lexicon.muse_dir(self.params.lexical_dir, self.name)
        if any(lexicon.has_table(folder, lang, e, self.params.pivot) for e in self.aligned_languages(lang)):
            return None
        return lexicon.missing(lang, self.params.embedded, self.params.pivot) + " to align phrases with"

    def prepare(self, context: ShardContext) -> None:
        self._rows = context.aligned

    def _table(self, lang: str, embedded: str) -> tuple[lexicon.Table, frozenset[str]]:
        folder, pivot = self._folder(), self.params.pivot
        return lexicon.table(folder, lang, embedded, pivot), lexicon.unspaced_prefixes(folder, lang, embedded, pivot)

    def perturb_field(self, example: Example, field: str, rng: random.Random) -> PerturbedText:
        text = example.fields[field]
        rows = {e: aligned_example(self._rows, e, example, self.name) for e in self.aligned_languages(example.lang)}
        options = [e for e, row in rows.items() if row is not None]
        if not options:
            return PerturbedText(text, (), 0, 0)
        embedded = rng.choice(options)
        target = rows[embedded].fields[field]
        table, prefixes = self._table(example.lang, embedded)
        phrases = align(text, target, table, prefixes, self.params.window, self.params.max_words)
        edits = [
            Edit("", p.start, p.end, text[p.start : p.end], target[p.target_start : p.target_end], f"phrase_mix:{embedded}")
            for p in choose(phrases, self.params.rate, rng)
        ]
        return PerturbedText(apply(text, edits), tuple(edits), len(phrases), len(edits))

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        raise RobustxError(f"{self.name} needs the example's aligned translations: use perturb_example")
