"""Keyboard typos: a character becomes one on a physically adjacent key.

Typos stay inside the word's script: a letter becomes a neighbouring letter of the
same script (and keeps the marks of its cluster), a combining mark a neighbouring
mark of the same script; digits, punctuation and other scripts are never offered.
``units`` counts the words that have at least one such character, ``changed`` the
words that got a typo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from robustx.errors import RobustxError
from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.char import layouts
from robustx.perturb.editing import apply, check_rate, choose, cluster_offsets, stays_apart
from robustx.text import LANGUAGES, words
from robustx.text.scripts import char_info


@dataclass(frozen=True)
class KeyboardTypoParams:
    """``rate``: fraction of eligible words that get typos; ``max_per_word``: at most
    this many typos (on distinct clusters) per chosen word; ``layout``: a keyboard table
    name (a language code) to use instead of the text language's own."""

    rate: float = 0.1
    max_per_word: int = 1
    layout: str = ""

    def __post_init__(self) -> None:
        check_rate(self.rate)
        if not isinstance(self.max_per_word, int) or self.max_per_word < 1:
            raise ValueError(f"max_per_word must be >= 1, got {self.max_per_word!r}")
        if self.layout and self.layout not in layouts.available():
            raise ValueError(f"unknown layout {self.layout!r}; known: {', '.join(layouts.available())}")


@lru_cache(maxsize=1 << 16)  # words repeat (Zipf): most lookups hit
def _spots(layout: str, script: str, clusters: tuple[str, ...]) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """Clusters of a word that can get a typo, each with the indices of the code points
    that can change: the base letter (index 0) and the marks after it."""
    subs = layouts.substitutions(layout, script)
    spots = []
    for i, cluster in enumerate(clusters):
        where = tuple(j for j, char in enumerate(cluster) if char in subs and (j == 0) == char_info(char)[1])
        if where:
            spots.append((i, where))
    return tuple(spots)


@lru_cache(maxsize=None)
def _reason(layout: str, lang: str) -> str | None:
    if lang not in LANGUAGES:
        return f"unknown language {lang!r}; keyboard typos cover the XTREME languages {', '.join(LANGUAGES)}"
    if layout not in layouts.available():
        return f"no keyboard table for {layout!r}"
    scripts = LANGUAGES[lang].scripts
    if any(layouts.substitutions(layout, script) for script in scripts):
        return None
    keyboard = layouts.load(layout)
    note = f" ({keyboard.note})" if keyboard.note else ""
    return f"keyboard {keyboard.source} has no {'/'.join(scripts)} letters for {lang}{note}"


class KeyboardTypo(Perturbation):
    name = "char.keyboard_typo"
    family = "char"
    Params = KeyboardTypoParams

    def unsupported_reason(self, lang: str) -> str | None:
        return _reason(self.params.layout or lang, lang)

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        reason = self.unsupported_reason(lang)
        if reason:
            raise RobustxError(f"{self.name}: {reason}")
        layout = self.params.layout or lang
        candidates = []
        for word in words(text):
            spots = _spots(layout, word.script, word.graphemes)
            if spots:
                candidates.append((word, spots))
        edits: list[Edit] = []
        changed = 0
        for word, spots in choose(candidates, self.params.rate, rng):
            subs = layouts.substitutions(layout, word.script)
            offsets = cluster_offsets(word.start, word.graphemes)
            count = rng.randint(1, min(self.params.max_per_word, len(spots)))
            typos = []
            for i, where in sorted(rng.sample(spots, count)):
                cluster = word.graphemes[i]
                at = rng.choice(where)
                typo = cluster[:at] + rng.choice(subs[cluster[at]]) + cluster[at + 1 :]
                typos.append(Edit("", offsets[i], offsets[i + 1], cluster, typo, "keyboard"))
            if stays_apart(text, word, typos):
                edits.extend(typos)
                changed += 1
        return PerturbedText(apply(text, edits), tuple(edits), len(candidates), changed)
