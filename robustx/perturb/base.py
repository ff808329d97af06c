"""The perturbation interface, the edit record and the per-example seeding.

A perturbation sees one text at a time with a ``random.Random`` built from a stable
hash of (perturbation seed, recipe name, parameters, example id, field). Its output
therefore depends on nothing else: not on process, PYTHONHASHSEED, batch size or
shard order.

Most recipes look at nothing but that text. Two kinds need more, and get it through
two optional hooks that the runner calls once per shard (one task, language,
recipe and seed) before the first example:

* recipes that read the same example in other languages (cross-lingual pair mixing,
  phrase code-mixing from aligned translations) name those languages in
  ``aligned_languages(lang)``; the runner loads them once from the study's own data
  source into an ``AlignedIndex`` (language -> row -> Example, keyed by
  ``Example.row``), passes their rows in the ``ShardContext`` given to
  ``prepare``, and folds their content into the shard key;
* recipes whose backend works on batches (machine translation) translate every text
  of the shard in ``prepare`` and answer ``perturb_text`` from that cache.

``perturb_field`` gives a recipe the whole example (its ``row``) instead of one
text; by default it calls ``perturb_text``. Outside the runner, call
``prepare(ShardContext(...))`` before ``perturb_example``.
"""

from __future__ import annotations

import dataclasses
import gc
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar, Mapping, Sequence

from robustx.errors import RobustxError
from robustx.hashing import SeedPrefix, stable_seed
from robustx.registry import Registry
from robustx.tasks.base import Example


@dataclass(frozen=True)
class Edit:
    """One change: ``before`` at ``[start, end)`` of the original field became ``after``."""

    field: str
    start: int
    end: int
    before: str
    after: str
    op: str


@dataclass(frozen=True)
class PerturbedText:
    """A perturbed text, its edits (``field`` left empty) and the achieved rate's parts."""

    text: str
    edits: tuple[Edit, ...]
    units: int
    changed: int


@dataclass(frozen=True)
class ShardContext:
    """What ``Perturbation.prepare`` sees: one shard's examples and, for recipes that
    asked for them, the row-aligned examples of other languages (``aligned[lang][row]``)."""

    lang: str
    fields: tuple[str, ...]
    examples: Sequence[Example]
    aligned: Mapping[str, Mapping[str, Example]] = dataclasses.field(default_factory=dict)


class AlignedIndex:
    """Examples of other languages by ``row``, loaded on first use and kept.

    ``load(lang)`` returns a language's examples from the same data source (same
    split and limit) as the shard's; the runner builds one index per study run.
    """

    def __init__(self, load: Callable[[str], Sequence[Example]]) -> None:
        self._load = load
        self._examples: dict[str, Sequence[Example]] = {}
        self._rows: dict[str, Mapping[str, Example]] = {}

    def examples(self, lang: str) -> Sequence[Example]:
        if lang not in self._examples:
            self._examples[lang] = self._load(lang)
        return self._examples[lang]

    def rows(self, lang: str) -> Mapping[str, Example]:
        if lang not in self._rows:
            self._rows[lang] = {ex.row: ex for ex in self.examples(lang)}
        return self._rows[lang]


class Perturbation:
    """Base class. Subclasses set ``name``, ``family``, ``Params`` and implement ``perturb_text``.

    ``Params`` is a frozen dataclass; its fields are the recipe's declared parameters.
    ``cross_script`` marks recipes that insert characters of other scripts by design
    (homoglyphs, code-switching) so the script-purity checks can exempt them.
    """

    name: ClassVar[str]
    family: ClassVar[str]
    cross_script: ClassVar[bool] = False
    Params: ClassVar[type]
    # Parameters that say where a resource lives, not what the recipe does: they stay out of the
    # per-example seed and the shard key (``resource_files``' content goes into the key), so the
    # same dictionary in another folder or machine gives byte-identical output.
    location_params: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: Any) -> None:
        self.params = params

    @classmethod
    def from_dict(cls, values: Mapping[str, Any], where: str) -> "Perturbation":
        """Build from TOML values, naming ``where`` (file and key) in every error."""
        known = {f.name: f for f in dataclasses.fields(cls.Params)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise RobustxError(
                f"{where}: unknown parameter {unknown[0]!r} for {cls.name}; known: {', '.join(sorted(known))}"
            )
        try:
            params = cls.Params(**values)
        except (TypeError, ValueError) as exc:
            raise RobustxError(f"{where}: bad parameters for {cls.name}: {exc}") from None
        return cls(params)

    def describe(self) -> dict[str, Any]:
        return {"perturbation": self.name, "family": self.family, "params": dataclasses.asdict(self.params)}

    def unsupported_reason(self, lang: str) -> str | None:
        """Why ``lang`` is not supported, or ``None`` if it is."""
        return None

    def resource_files(self, lang: str) -> tuple[Path, ...]:
        """The data files (dictionaries, wordnets) this recipe reads for ``lang``."""
        return ()

    def aligned_languages(self, lang: str) -> tuple[str, ...]:
        """Languages whose row-aligned examples this recipe reads when perturbing ``lang``."""
        return ()

    def prepare(self, context: ShardContext) -> None:
        """Called once per shard before any example (batch work, aligned rows); default: nothing."""

    def perturb_field(self, example: Example, field: str, rng: random.Random) -> PerturbedText:
        """Perturb ``example.fields[field]``; recipes that need the example's ``row`` override this."""
        return self.perturb_text(example.fields[field], example.lang, rng)

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:  # pragma: no cover
        raise NotImplementedError


PERTURBATIONS: Registry[type[Perturbation]] = Registry("perturbation")


@dataclass(frozen=True)
class PerturbedExample:
    example: Example
    edits: tuple[Edit, ...]
    units: int
    changed: int


def example_rng(seed: int, recipe: str, params: Mapping[str, Any], example_id: str, field: str) -> random.Random:
    return random.Random(stable_seed(seed, recipe, dict(params), example_id, field))


def seed_params(perturbation: Perturbation) -> dict[str, Any]:
    """The parameters that seed ``example_rng``: location parameters read as their defaults, fields
    marked ``metadata={"seeded": False}`` (added later, e.g. a model revision) left out."""
    fields = {f.name: f for f in dataclasses.fields(perturbation.Params)}
    return {k: fields[k].default if k in perturbation.location_params else v
            for k, v in dataclasses.asdict(perturbation.params).items() if fields[k].metadata.get("seeded", True)}


def _seed_prefix(perturbation: Perturbation, recipe: str, seed: int) -> SeedPrefix:
    """The (seed, recipe, params) part of ``example_rng``'s hash, kept on the instance (params are frozen)."""
    cache = perturbation.__dict__.setdefault("_seed_prefixes", {})
    prefix = cache.get((recipe, seed))
    if prefix is None:
        prefix = cache[recipe, seed] = SeedPrefix(seed, recipe, seed_params(perturbation))
    return prefix


def perturb_example(
    perturbation: Perturbation, recipe: str, example: Example, seed: int, fields: Sequence[str]
) -> PerturbedExample:
    """Apply ``perturbation`` to the named ``fields`` of ``example``; the label is never touched.

    Each field's rng is ``example_rng(seed, recipe, seed_params(perturbation), example.id, field)``.
    """
    prefix = _seed_prefix(perturbation, recipe, seed)
    new_fields: dict[str, str] = {}
    edits: list[Edit] = []
    units = changed = 0
    for field in fields:
        rng = random.Random(prefix.seed(example.id, field))
        out = perturbation.perturb_field(example, field, rng)
        new_fields[field] = out.text
        edits.extend(Edit(field, e.start, e.end, e.before, e.after, e.op) for e in out.edits)
        units += out.units
        changed += out.changed
    return PerturbedExample(example.with_fields(**new_fields), tuple(edits), units, changed)


def perturb_examples(
    perturbation: Perturbation, recipe: str, examples: Sequence[Example], seed: int, fields: Sequence[str]
) -> list[PerturbedExample]:
    """``perturb_example`` on each of ``examples``, in order: a shard's perturbed set.

    Automatic garbage collection is paused for the loop. A recipe's memo tables fill with
    many small containers while it meets new words, and every collection that they trigger
    walks all the objects of the process (datasets, models, modules: often most of a
    million) for nothing: a fifth of the time of a keyboard-typo shard that starts cold.
    Reference cycles made in the loop wait for the first collection after it.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return [perturb_example(perturbation, recipe, example, seed, fields) for example in examples]
    finally:
        if paused:
            gc.enable()
