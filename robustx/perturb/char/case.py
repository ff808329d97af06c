"""Case noise: letters or whole words in the wrong case.

Models shift-key slips, caps lock, shouting and the all-lower-case text of chat and
social media, where cased models lose accuracy (Mayhew et al. 2020). Only scripts
with letter case take part: Latin, Greek, Cyrillic and Armenian. Georgian is left
out on purpose: its capitals (Mtavruli, encoded in Unicode 11) appear only in
all-caps headings, many fonts lack them, and mixed-case Georgian does not occur, so
case noise there would be a change of alphabet rather than noise.
``unsupported_reason`` names caseless languages.

``mode``:

- ``flip``: one letter of a chosen word changes case (a shift-key slip);
- ``random``: each letter of a chosen word changes case with probability 1/2, at
  least one (``rAndOm``);
- ``upper``: the whole word in capitals; ``lower``: the whole word in small letters.

A letter whose other case is not one grapheme cluster (``ß`` → ``SS``, ``ŉ`` → ``ʼN``,
Armenian ``և`` → ``ԵՒ``) is left as it is. Turkish maps ``i``↔``İ`` and ``ı``↔``I``;
Greek lower-cases a word-final ``Σ`` to ``ς``. ``rate``: fraction of eligible words
(those that the mode can change) that are changed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from robustx.errors import ParamsError, RobustxError
from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.candidates import WordTable, placed
from robustx.perturb.char.clusters import intact
from robustx.perturb.editing import apply, check_rate, choose, cluster_offsets
from robustx.text import LANGUAGES, graphemes
from robustx.text.scripts import char_info

MODES = ("flip", "random", "upper", "lower")
CASED = frozenset({"Latin", "Greek", "Cyrillic", "Armenian"})
TURKIC = frozenset({"tr", "az"})
_TURKIC_UPPER = {"i": "İ", "ı": "I"}
_TURKIC_LOWER = {"İ": "i", "I": "ı"}
_GEORGIAN = (
    "Georgian capitals (Mtavruli) appear only in all-caps headings and are missing from many fonts: "
    "case noise would change the alphabet, not the case"
)


@dataclass(frozen=True)
class CaseParams:
    """``rate``: fraction of eligible words changed; ``mode``: flip, random, upper or lower."""

    rate: float = 0.1
    mode: str = "flip"

    def __post_init__(self) -> None:
        check_rate(self.rate)
        if self.mode not in MODES:
            raise ParamsError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")


def _valid(new: str, cluster: str, script: str) -> bool:
    return new != cluster and len(graphemes(new)) == 1 and char_info(new[0])[:2] == (script, True)


@lru_cache(maxsize=1 << 16)
def forms(cluster: str, script: str, turkic: bool, final: bool) -> tuple[str | None, str | None]:
    """``(upper, lower)`` of a cluster, each ``None`` when it is the same or not one cluster."""
    first, rest = cluster[0], cluster[1:]
    if turkic and first in _TURKIC_UPPER:
        upper = _TURKIC_UPPER[first] + rest
    else:
        upper = cluster.upper()
    if turkic and first in _TURKIC_LOWER:
        lower = _TURKIC_LOWER[first] + rest
    elif first == "Σ" and final:
        lower = "ς" + rest.lower()
    else:
        lower = cluster.lower()
    return (upper if _valid(upper, cluster, script) else None, lower if _valid(lower, cluster, script) else None)


@lru_cache(maxsize=1 << 16)  # words repeat (Zipf): most lookups hit
def _changes(mode: str, turkic: bool, script: str, clusters: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """``(index, new cluster)`` that the mode may apply to a word (all of them for upper
    and lower; a choice among them for flip and random)."""
    if script not in CASED:
        return ()
    out = []
    for i, cluster in enumerate(clusters):
        final = i == len(clusters) - 1 and i > 0
        upper, lower = forms(cluster, script, turkic, final)
        if mode == "upper":
            new = upper
        elif mode == "lower":
            new = lower
        else:  # a letter that has a lower case is capital (or title case): it flips down
            new = lower or upper
        if new is not None:
            out.append((i, new))
    return tuple(out)


@lru_cache(maxsize=None)
def _table(mode: str, turkic: bool) -> WordTable:
    return WordTable(lambda word: _changes(mode, turkic, word.script, word.graphemes))


class Case(Perturbation):
    name = "char.case"
    family = "char"
    Params = CaseParams

    def unsupported_reason(self, lang: str) -> str | None:
        if lang not in LANGUAGES:
            return None  # works on any script: the words decide
        scripts = LANGUAGES[lang].scripts
        if CASED & set(scripts):
            return None
        if "Georgian" in scripts:
            return _GEORGIAN
        return f"the {'/'.join(scripts)} script has no letter case"

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        reason = self.unsupported_reason(lang)
        if reason:
            raise RobustxError(f"{self.name}: {reason}")
        mode = self.params.mode
        candidates = _table(mode, lang in TURKIC).candidates(text)
        edits: list[Edit] = []
        changed = 0
        for offset, word, changes in choose(candidates, self.params.rate, rng):
            word = placed(word, offset)
            if mode == "flip":
                picked = [rng.choice(changes)]
            elif mode == "random":
                forced = rng.randrange(len(changes))
                picked = [c for j, c in enumerate(changes) if j == forced or rng.random() < 0.5]
            else:
                picked = list(changes)
            offsets = cluster_offsets(word.start, word.graphemes)
            new = [Edit("", offsets[i], offsets[i + 1], word.graphemes[i], after, "case") for i, after in picked]
            if intact(text, word, new):
                edits.extend(new)
                changed += 1
        return PerturbedText(apply(text, edits), tuple(edits), len(candidates), changed)
