"""Loading shared by the benchmark tasks: request checks, row validation, skips and limit.

A task only says where its rows come from (``local_rows``, ``hf_rows``); every rule
about what a valid row is, how labels are named, how ids are formed and what
``allow_skip`` and ``limit`` do lives here, once.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import ClassVar, Iterable, Mapping, Sequence

from robustx.errors import RobustxError
from robustx.languages import check_language
from robustx.tasks.base import DataSource, Example, Task, TaskData
from robustx.tasks.readers import RawRow, find_file

Rows = tuple[Iterable[RawRow], str]  # the rows and a description of where they come from


class BenchmarkTask(Task):
    """A task whose data comes from local files (two layouts) or Hugging Face.

    Subclasses set ``folders`` (the names of the task's folder under a data root)
    and ``label_aliases`` (raw label -> label name), and implement the row sources.
    """

    folders: ClassVar[tuple[str, ...]] = ()
    label_aliases: ClassVar[Mapping[str, str]] = {}

    def load(self, lang: str, source: DataSource) -> TaskData:
        check_language(lang, self.languages, f"task {self.name!r}")
        self.check_split(source.split)
        if source.kind == "hf":
            rows, origin = self.hf_rows(lang, source.split)
        elif source.kind == "local":
            if not source.path:
                raise RobustxError(f"task {self.name!r}: a local data source needs a path (the data folder)")
            rows, origin = self.local_rows(Path(source.path).expanduser(), lang, source.split)
        else:
            raise RobustxError(f"unknown data source kind {source.kind!r}; use 'local' or 'hf'")
        return collect(self, lang, source, rows, origin)

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


def collect(task: BenchmarkTask, lang: str, source: DataSource, rows: Iterable[RawRow], origin: str) -> TaskData:
    """Validate ``rows`` into a TaskData: malformed rows raise or, with ``allow_skip``, are counted.

    A source that gives no example is a RobustxError naming it: a language with no
    examples would drop out of a study's tables unnoticed. Retrieval rows carry their gold target; the kept targets form the pool, so the
    gold label of the i-th kept example is ``str(i)``. ``limit`` keeps the first N
    valid examples and stops reading there.
    """
    examples: list[Example] = []
    targets: list[str] = []
    first_seen: dict[str, str] = {}
    skipped = 0
    for row in rows:
        if source.limit is not None and len(examples) >= source.limit:
            break
        problem, label = _validate(task, row)
        if problem is None and row.row_id in first_seen:
            problem = f"duplicate row id {row.row_id!r} (first at {first_seen[row.row_id]})"
        if problem is not None:
            if not source.allow_skip:
                raise RobustxError(f"{row.where}: {problem} (allow_skip = true skips and counts malformed rows)")
            skipped += 1
            continue
        first_seen[row.row_id] = row.where
        if task.kind == "retrieval":
            label = str(len(targets))
            targets.append(row.target or "")
        examples.append(
            Example(
                id=f"{task.name}/{source.split}/{lang}/{row.row_id}",
                lang=lang,
                fields=dict(zip(task.text_fields, row.texts)),
                label=label,
                row=row.row_id,
            )
        )
    if not examples:
        # Readers report an empty or header-only file themselves; this is a source with rows,
        # none of them for this language (a release file) or none valid (all skipped).
        why = f"all {skipped} rows malformed and skipped under allow_skip" if skipped else f"no row for {lang!r}"
        raise RobustxError(f"{origin}: no examples ({why})")
    return TaskData(examples=examples, source=origin, skipped=skipped, targets=tuple(targets))


def _validate(task: BenchmarkTask, row: RawRow) -> tuple[str | None, str | None]:
    """``(problem, label name)`` of one row; the problem is None for a valid row."""
    if row.problem is not None:
        return row.problem, None
    if not row.row_id.strip():
        return "empty row id", None
    for name, text in zip(task.text_fields, row.texts):
        if not text.strip():
            return f"empty {name}", None
    if task.kind == "retrieval":
        return (None, None) if row.target and row.target.strip() else ("empty target", None)
    raw = row.label or ""
    label = raw if raw in task.labels else task.label_aliases.get(raw)
    if label is None:
        return f"unknown label {raw!r}; expected one of {', '.join(task.labels)}", None
    return None, label
