"""The core data types of a benchmark: examples and the task interface."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import ClassVar, Mapping, Sequence


@dataclass(frozen=True)
class Span:
    """A labelled stretch ``[start, end)`` of one text field: a token with its tag, or an answer
    (docs/structured.md)."""

    field: str
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Example:
    """One test item.

    ``id`` is stable: it comes from the dataset's own row id or line number (never
    from list position after filtering) and includes the language, so per-example
    seeds differ across languages. ``row`` is the language-independent alignment
    key of parallel sets (XNLI row i is the same example in every language).
    ``spans`` carry structure: one per token of a tagging example, one per gold answer of
    a QA example (docs/structured.md); classification and retrieval have none.
    """

    id: str
    lang: str
    fields: Mapping[str, str]
    label: str | None = None
    row: str = ""
    spans: tuple[Span, ...] = ()
    # Fields written in another language than ``lang`` names (MLQA's "de-en": a German context, an
    # English question): perturbations of a field work in its own language.
    field_langs: Mapping[str, str] = field(default_factory=dict)

    def language_of(self, name: str) -> str:
        return self.field_langs.get(name, self.lang)

    def with_fields(self, **new_fields: str) -> "Example":
        return replace(self, fields={**self.fields, **new_fields})


@dataclass(frozen=True)
class TaskData:
    """What a task loads for one language: the examples and, for retrieval, the target pool."""

    examples: Sequence[Example]
    source: str
    skipped: int = 0
    targets: Sequence[str] = field(default_factory=tuple)
    target_ids: Sequence[str] = field(default_factory=tuple)  # mining: the targets' own ids


class Task:
    """A benchmark task. Constructors are cheap; ``load`` does the I/O.

    Subclasses set the class attributes and implement ``load``.
    """

    name: ClassVar[str]
    kind: ClassVar[str]  # "classification", "retrieval", "tagging", "qa" or "mining"
    metric: ClassVar[str] = "accuracy"
    languages: ClassVar[tuple[str, ...]]
    labels: ClassVar[tuple[str, ...]] = ()
    text_fields: ClassVar[tuple[str, ...]]
    splits: ClassVar[tuple[str, ...]] = ("test",)
    # Every language holds translations of one set of items: training on one language's split
    # is training on every language's (docs/structured.md, "Training data a study must not score").
    parallel: ClassVar[bool] = False

    def load(self, lang: str, source: "DataSource") -> TaskData:  # pragma: no cover - interface
        raise NotImplementedError

    def field_languages(self, lang: str) -> Mapping[str, str]:
        """The fields of ``lang``'s examples written in another language than ``lang`` (none by default)."""
        return {}


@dataclass(frozen=True)
class DataSource:
    """Where a study reads data from.

    ``kind`` is ``"local"`` (a directory in the ``../shared/data`` layout or an
    official release layout) or ``"hf"`` (Hugging Face ``datasets``, for online users).
    ``allow_skip`` turns malformed rows into counted, reported skips instead of errors.
    """

    kind: str = "local"
    path: str = ""
    split: str = "test"
    allow_skip: bool = False
    limit: int | None = None
