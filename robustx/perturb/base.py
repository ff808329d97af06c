"""The perturbation interface, the edit record and the per-example seeding.

A perturbation sees one text at a time with a ``random.Random`` built from a stable
hash of (perturbation seed, recipe name, parameters, example id, field). Its output
therefore depends on nothing else: not on process, PYTHONHASHSEED, batch size or
shard order.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from typing import Any, ClassVar, Mapping, Sequence

from robustx.errors import RobustxError
from robustx.hashing import stable_seed
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


def perturb_example(
    perturbation: Perturbation, recipe: str, example: Example, seed: int, fields: Sequence[str]
) -> PerturbedExample:
    """Apply ``perturbation`` to the named ``fields`` of ``example``; the label is never touched."""
    params = dataclasses.asdict(perturbation.params)
    new_fields: dict[str, str] = {}
    edits: list[Edit] = []
    units = changed = 0
    for field in fields:
        rng = example_rng(seed, recipe, params, example.id, field)
        out = perturbation.perturb_text(example.fields[field], example.lang, rng)
        new_fields[field] = out.text
        edits.extend(dataclasses.replace(edit, field=field) for edit in out.edits)
        units += out.units
        changed += out.changed
    return PerturbedExample(example.with_fields(**new_fields), tuple(edits), units, changed)
