"""Cross-lingual pair mixing: a field replaced by the same row of the benchmark in another language.

XNLI and PAWS-X are human translations aligned by row (row i is the same example in
every language), so the premise of row i in ``source`` can replace the premise of
row i in the language under test: the pair becomes cross-lingual (premise in
``source``, hypothesis in the test language) with its gold label unchanged. The
study's ``fields`` say which fields are replaced; replacing every field is
translate-test with the benchmark's own (gold) translations into ``source``. All
language pairs: one entry per source language, over the study's languages.

The rows come from the runner's ``AlignedIndex`` (same data source, split and limit),
through ``aligned_languages`` and ``prepare``; the shard key covers their content.
Examples of ``source`` itself are left as they are. A row missing in ``source``
(skipped as malformed there) leaves the field unchanged and counts as a unit not
changed, so the achieved rate shows it. ``units`` is 1 per field.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Mapping

from robustx.errors import ParamsError, RobustxError
from robustx.perturb.base import Edit, Perturbation, PerturbedText, ShardContext
from robustx.tasks.base import Example
from robustx.text import LANGUAGES


@dataclass(frozen=True)
class PairMixParams:
    """``source``: the language whose aligned row supplies the replaced fields."""

    source: str = "en"

    def __post_init__(self) -> None:
        if self.source not in LANGUAGES:
            raise ParamsError(f"source must be the ISO 639-1 code of an XTREME language, got {self.source!r}")


def aligned_example(rows: Mapping[str, Mapping[str, Example]] | None, lang: str, example: Example, name: str) -> Example | None:
    """The example of ``lang`` with ``example.row``, or None where that language lacks the row."""
    if rows is None:
        raise RobustxError(f"{name} reads the same row in other languages: call prepare(ShardContext(...)) "
                           "with their aligned rows first (the runner does)")
    if not example.row:
        raise RobustxError(f"{name}: example {example.id} has no row key, so it cannot be aligned across languages")
    return rows.get(lang, {}).get(example.row)


class PairMix(Perturbation):
    name = "translate.pair_mix"
    family = "translate"
    cross_script = True
    whole_field = True
    Params = PairMixParams

    def __init__(self, params: PairMixParams) -> None:
        super().__init__(params)
        self._rows: Mapping[str, Mapping[str, Example]] | None = None

    def aligned_languages(self, lang: str) -> tuple[str, ...]:
        return () if lang == self.params.source else (self.params.source,)

    def prepare(self, context: ShardContext) -> None:
        self._rows = context.aligned

    def perturb_field(self, example: Example, field: str, rng: random.Random) -> PerturbedText:
        text = example.fields[field]
        if example.lang == self.params.source:
            return PerturbedText(text, (), 1, 0)
        other = aligned_example(self._rows, self.params.source, example, self.name)
        new = other.fields[field] if other is not None else text
        if new == text:
            return PerturbedText(text, (), 1, 0)
        return PerturbedText(new, (Edit("", 0, len(text), text, new, f"pair_mix:{self.params.source}"),), 1, 1)

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        raise RobustxError(f"{self.name} replaces a field by the same row in another language: "
                           "it needs the example (perturb_example), not a bare text")
