"""Atomic JSON Lines files: a shard's file exists complete or not at all."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Sequence


def dumps(record: Any) -> str:
    # sort_keys + ensure_ascii=False: one byte spelling per record, readable scripts.
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@contextlib.contextmanager
def atomic_open(path: Path, binary: bool = False) -> Iterator[IO]:
    """A handle on a temporary file that replaces ``path`` only if the block completes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        kwargs = {} if binary else {"encoding": "utf-8", "newline": "\n"}
        with os.fdopen(fd, "wb" if binary else "w", **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    with atomic_open(path) as handle:
        handle.write(text)


def write_jsonl(path: Path, records: Iterable[Any]) -> None:
    write_atomic(path, "".join(dumps(r) + "\n" for r in records))


def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def load_shard(path: Path, ids: Sequence[str], keys: Sequence[str], warn: Callable[[str], None]) -> list[dict] | None:
    """A finished shard's records if ``path`` holds exactly one record with ``keys`` per id of
    ``ids``, in order; else None: missing, or corrupt (truncated, edited, from another
    version), which ``warn`` reports by name so the shard is recomputed, not trusted."""
    if not path.exists():
        return None
    try:
        records = list(read_jsonl(path))
        problem = None if [r.get("id") for r in records] == list(ids) else "its example ids differ from the data's"
        problem = problem or next((f"a record lacks {k!r}" for r in records for k in keys if k not in r), None)
    except (OSError, ValueError, AttributeError) as exc:
        problem = f"unreadable ({type(exc).__name__})"
    if problem:
        warn(f"[yellow]recomputing {path}: {problem}[/]")
        return None
    return records
