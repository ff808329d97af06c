"""Random word repetition (Moradi & Samwald 2021): ``rate`` of the units are doubled.

The copy follows the unit, before any punctuation attached to it (``cats.`` ->
``cats cats.``), after a space in scripts written with spaces and directly in
scripts without (``猫猫``).
"""

from __future__ import annotations

import random

from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.editing import choose
from robustx.perturb.word.units import RateParams, cluster_safe, tokens, units_of
from robustx.text import CHUNK_SIZE


class WordRepeat(Perturbation):
    name = "word.repeat"
    family = "word"
    Params = RateParams

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        units = units_of(tokens(text))
        edits = []
        for unit in choose(units, self.params.rate, rng):
            space = "" if unit.script in CHUNK_SIZE else " "
            edits.append(Edit("", unit.end, unit.end, "", space + text[unit.start : unit.end], "repeat"))
        out, kept = cluster_safe(text, edits)
        return PerturbedText(out, tuple(kept), len(units), len(kept))
