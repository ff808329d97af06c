"""Adjacent word swap (EDA's random swap, restricted to neighbours): ``rate`` of the units move.

Disjoint pairs of neighbouring units trade places; what lies between them (space,
punctuation) stays put, and so does punctuation attached outside them
(``I like cats.`` -> ``I cats like.``). ``rate * units / 2`` pairs are drawn (with
the count rounded stochastically, so the expected fraction of units moved is
``rate``), uniformly among all sets of that many disjoint neighbouring pairs. A pair
of equal words is left alone and counts as unchanged. ``units`` is 0 for a text of
fewer than two units.
"""

from __future__ import annotations

import random

from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.editing import sorted_sample
from robustx.perturb.word.units import RateParams, cluster_safe, stochastic_count, tokens, units_of


def disjoint_pairs(n: int, rate: float, rng: random.Random) -> list[int]:
    """First indices of disjoint neighbouring pairs among ``n`` items, ``rate * n / 2`` expected.

    Laying ``k`` dominoes and ``n - 2k`` singles in a row is choosing ``k`` of the
    ``n - k`` pieces: a uniform draw over all placements.
    """
    if n < 2:
        return []
    k = min(stochastic_count(rate / 2, n, rng), n // 2)
    return [p + i for i, p in enumerate(sorted_sample(rng, range(n - k), k))]


class WordSwap(Perturbation):
    name = "word.swap"
    family = "word"
    Params = RateParams

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        units = units_of(tokens(text))
        if len(units) < 2:
            return PerturbedText(text, (), 0, 0)
        edits, inner = [], []
        for i in disjoint_pairs(len(units), self.params.rate, rng):
            a, b = units[i], units[i + 1]
            first, between, second = text[a.start : a.end], text[a.end : b.start], text[b.start : b.end]
            if first == second:
                continue
            edits.append(Edit("", a.start, b.end, text[a.start : b.end], second + between + first, "swap"))
            inner.append((len(second), len(second) + len(between)))
        out, kept = cluster_safe(text, edits, inner)
        return PerturbedText(out, tuple(kept), len(units), 2 * len(kept))
