"""Loading shared by the benchmark tasks: request checks, row validation, skips and limit.

A task only says where its rows come from (``local_rows``, ``hf_rows``); every rule
about what a valid row is, how labels are named, how ids are formed and what
``allow_skip`` and ``limit`` do lives here, once.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import ClassVar, Iterable, Mapping, NamedTuple, Sequence

from robustx.errors import RobustxError
from robustx.languages import check_language
from robustx.tasks.base import DataSource, Example, Span, Task, TaskData
from robustx.tasks.readers import RawRow, find_file


class Pool(NamedTuple):
    """A mining task's targets: their ids and texts, in file order."""

    ids: tuple[str, ...]
    texts: tuple[str, ...]


class Rows(NamedTuple):
    """What a row source gives: the rows, a description of where they come from and, for a
    mining task, the target pool. Plain ``(rows, origin)`` tuples are accepted too."""

    rows: Iterable[RawRow]
    origin: str
    pool: Pool | None = None


class BenchmarkTask(Task):
    """A task whose data comes from local files (two layouts) or Hugging Face.

    Subclasses set ``folders`` (the names of the task's folder under a data root)
    and ``label_aliases`` (raw label -> label name), and implement the row sources.
    Tagging and QA tasks set ``span_field``; their ``labels`` are the tag set (tagging).
    """

    folders: ClassVar[tuple[str, ...]] = ()
    label_aliases: ClassVar[Mapping[str, str]] = {}
    span_field: ClassVar[str] = ""  # the text field that spans lie in (tagging and qa)

    def load(self, lang: str, source: DataSource) -> TaskData:
        check_language(lang, self.languages, f"task {self.name!r}")
        self.check_split(source.split)
        if source.kind == "hf":
            got = self.hf_rows(lang, source.split)
        elif source.kind == "local":
            if not source.path:
                raise RobustxError(f"task {self.name!r}: a local data source needs a path (the data folder)")
            got = self.local_rows(Path(source.path).expanduser(), lang, source.split)
        else:
            raise RobustxError(f"unknown data source kind {source.kind!r}; use 'local' or 'hf'")
        rows, origin, pool = Rows(*got)
        return collect(self, lang, source, rows, origin, pool)

    def check_split(self, split: str) -> None:
        """Raise a RobustxError naming the task's splits unless ``split`` is one."""
        if split in self.splits:
            return
        # Hugging Face calls the dev split "validation".
        close = ["dev"] if split == "validation" else difflib.get_close_matches(split, self.splits, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close and close[0] in self.splits else ""
        raise RobustxError(f"task {self.name!r} has no split {split!r}{hint}; splits: {', '.join(self.splits)}")

    def locate(self, root: Path, files: Sequence[str], what: str) -> Path:
        """The first of ``files`` under the task's folder in ``root`` or directly in ``root``."""
        candidates = dict.fromkeys(Path(folder, name) for folder in (*self.folders, "") for name in files)
        return find_file(root, list(candidates), what)

    def local_rows(self, root: Path, lang: str, split: str) -> Rows:  # pragma: no cover - interface
        raise NotImplementedError

    def hf_rows(self, lang: str, split: str) -> Rows:  # pragma: no cover - interface
        raise NotImplementedError


def collect(
    task: BenchmarkTask,
    lang: str,
    source: DataSource,
    rows: Iterable[RawRow],
    origin: str,
    pool: Pool | None = None,
) -> TaskData:
    """Validate ``rows`` into a TaskData: malformed rows raise or, with ``allow_skip``, are counted.

    A source that gives no example is a RobustxError naming it: a language with no
    examples would drop out of a study's tables unnoticed. Retrieval rows carry their gold
    target; the kept targets form the pool, so the gold label of the i-th kept example is
    ``str(i)``. A mining task's ``pool`` is given whole (its targets are not rows) and a row's
    label is a target id or None. Tagging and QA rows become examples with spans. ``limit``
    keeps the first N valid examples and stops reading there.
    """
    examples: list[Example] = []
    targets: list[str] = []
    first_seen: dict[str, str] = {}
    target_ids = frozenset(pool.ids) if pool is not None else frozenset()
    skipped = 0
    for row in rows:
        if source.limit is not None and len(examples) >= source.limit:
            break
        problem, checked = _validate(task, row, target_ids)
        if problem is None and row.row_id in first_seen:
            problem = f"duplicate row id {row.row_id!r} (first at {first_seen[row.row_id]})"
        if problem is not None or checked is None:
            if not source.allow_skip:
                raise RobustxError(f"{row.where}: {problem} (allow_skip = true skips and counts malformed rows)")
            skipped += 1
            continue
        first_seen[row.row_id] = row.where
        label = checked.label
        if task.kind == "retrieval":
            label = str(len(targets))
            targets.append(row.target or "")
        examples.append(
            Example(
                id=f"{task.name}/{source.split}/{lang}/{row.row_id}",
                lang=lang,
                fields=dict(zip(task.text_fields, checked.texts)),
                label=label,
                row=row.row_id,
                spans=checked.spans,
                field_langs=task.field_languages(lang),
            )
        )
    if not examples:
        # Readers report an empty or header-only file themselves; this is a source with rows,
        # none of them for this language (a release file) or none valid (all skipped).
        why = f"all {skipped} rows malformed and skipped under allow_skip" if skipped else f"no row for {lang!r}"
        raise RobustxError(f"{origin}: no examples ({why})")
    if pool is not None:
        return TaskData(examples, origin, skipped, targets=tuple(pool.texts), target_ids=tuple(pool.ids))
    return TaskData(examples=examples, source=origin, skipped=skipped, targets=tuple(targets))


class Checked(NamedTuple):
    """A valid row's example parts: its text fields in ``text_fields`` order, label and spans."""

    texts: tuple[str, ...]
    label: str | None = None
    spans: tuple[Span, ...] = ()


def _validate(task: BenchmarkTask, row: RawRow, target_ids: frozenset[str]) -> tuple[str | None, Checked | None]:
    """``(problem, parts)`` of one row: the problem is None for a valid row, the parts None for
    a malformed one."""
    if row.problem is not None:
        return row.problem, None
    if not row.row_id.strip():
        return "empty row id", None
    texts, spans = row.texts, ()
    if task.kind == "tagging":
        problem, sentence, spans = _tagged(task, row)
        if problem is not None:
            return problem, None
        texts = (sentence,)
    for name, text in zip(task.text_fields, texts):
        if not text.strip():
            return f"empty {name}", None
    if task.kind == "retrieval":
        return (None, Checked(texts)) if row.target and row.target.strip() else ("empty target", None)
    if task.kind == "tagging":
        return None, Checked(texts, None, spans)
    if task.kind == "qa":
        problem, spans = _answers(task, dict(zip(task.text_fields, texts)), row.answers)
        return (problem, None) if problem is not None else (None, Checked(texts, None, spans))
    if task.kind == "mining":
        if row.label is not None and row.label not in target_ids:
            return f"gold target {row.label!r} is not among the targets", None
        return None, Checked(texts, row.label)
    raw = row.label or ""
    label = raw if raw in task.labels else task.label_aliases.get(raw)
    if label is None:
        return f"unknown label {raw!r}; expected one of {', '.join(task.labels)}", None
    return None, Checked(texts, label)


def _tagged(task: BenchmarkTask, row: RawRow) -> tuple[str | None, str, tuple[Span, ...]]:
    """``(problem, sentence, spans)`` of a tagging row: the tokens joined by one space and one
    span per token, labelled with its tag (docs/structured.md)."""
    tokens, tags = row.tokens, row.tags
    if not tokens:
        return "no tokens", "", ()
    if len(tags) != len(tokens):
        return f"{len(tokens)} tokens but {len(tags)} tags", "", ()
    spans: list[Span] = []
    start = 0
    for number, (token, tag) in enumerate(zip(tokens, tags), start=1):
        if not token.strip():
            return f"token {number} is empty", "", ()
        if token != token.strip():
            return f"token {number} ({token!r}) has white space at its start or end", "", ()
        if tag not in task.labels:
            expected = ", ".join(task.labels)
            return f"unknown tag {tag!r} of token {number} ({token!r}); expected one of {expected}", "", ()
        spans.append(Span(task.span_field, start, start + len(token), tag))
        start += len(token) + 1
    return None, " ".join(tokens), tuple(spans)


# XTREME's download script blanks the answers of its QA test files to {answer_start: 0, text: ""}.
_BLANKED = " (XTREME's download script blanks the answers of its test copies: read the original release files)"


def _answers(
    task: BenchmarkTask, fields: Mapping[str, str], answers: Sequence[tuple[object, object]]
) -> tuple[str | None, tuple[Span, ...]]:
    """``(problem, spans)``: one ``"answer"`` span per gold answer, each checked to lie in the
    context where its ``answer_start`` says (``context[start:end] == text``)."""
    if not answers:
        return "no gold answer", ()
    context = fields[task.span_field]
    spans: list[Span] = []
    for number, (start, text) in enumerate(answers, start=1):
        if not isinstance(start, int) or isinstance(start, bool):
            return f"answer {number}: answer_start is {start!r}, not an integer", ()
        if not isinstance(text, str):
            return f"answer {number}: text is {text!r}, not a string", ()
        if not text.strip():
            return f"answer {number} has an empty text{_BLANKED if start == 0 else ''}", ()
        found = context[start : start + len(text)] if start >= 0 else ""
        if found != text:
            return (
                f"answer {number} {_short(text)} does not match the {task.span_field} at answer_start {start}"
                f" (there: {_short(found)})"
            ), ()
        spans.append(Span(task.span_field, start, start + len(text), "answer"))
    return None, tuple(spans)


def _short(text: str, width: int = 40) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")
