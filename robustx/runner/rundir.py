"""A run directory: held by one run at a time, and holding the results of one study.

``claim`` takes the directory's lock (an ``fcntl`` lock, released by the kernel when
the process dies, so a killed run never leaves a stale lock), then checks that what is
already there belongs to this study. ``Claim.record`` writes ``study.json`` only once
the caller has loaded the data: a run that fails before that leaves no claim that the
directory holds this study.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import os
import socket
from pathlib import Path
from typing import Any, Callable, Iterator

from robustx.errors import RobustxError
from robustx.runner import layout
from robustx.runner.store import dumps, write_atomic
from robustx.study.spec import StudySpec

# Fields added to the spec after run directories were first written ("*": any list index),
# with the value that an older study.json means by leaving them out.
_ADDED = {("checkpoints", "*", "revision"): "", ("run", "dtype"): "auto"}
# Lists a study may grow between a run and its resume: every earlier entry must still be there,
# unchanged; the new ones add shards, and the summary is recomputed over all (an absent list is empty).
_GROWABLE = {("checkpoints",), ("perturbations",), ("attacks",)}
# How a study is executed, not what it computes: these may change between a run and its resume.
_EXECUTION = {("output",), ("source_file",), ("run", "batch_size"), ("run", "threads"), ("run", "device"),
              ("run", "progress")}


def study_record(study: StudySpec) -> dict[str, Any]:
    record = dataclasses.asdict(study)
    if not record["attacks"]:
        del record["attacks"]  # study.json of a study without attacks keeps the bytes it had before attacks
    if not record["data"]["heldout_rows"]:
        del record["data"]["heldout_rows"]  # and for a study of every example
    for pert in record["perturbations"]:
        if not pert["entities"]:
            del pert["entities"]  # likewise for perturbations of every token
    for attack in record.get("attacks", []):
        if not attack["textattack"]:
            del attack["textattack"]  # and for robustx's own attacks
    return record


def _difference(old: Any, new: Any, path: tuple = ()) -> str | None:
    """The first key where ``old`` (a study.json) and ``new`` differ in what they compute.

    A key that ``old`` lacks matches the value an older study.json meant by leaving it out
    (``_ADDED``), so that run directories stay resumable when the spec grows.
    """
    if path in _EXECUTION:
        return None
    if path in _GROWABLE and isinstance(old, list) and isinstance(new, (list, tuple)):
        # A population that grew (more seeds matched by a glob), or recipes and attacks added,
        # keeps every result it had.
        return next((_dotted((*path, i)) for i, c in enumerate(old)
                     if not any(_difference(c, n, (*path, i)) is None for n in new)), None)
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            added = tuple("*" if isinstance(p, int) else p for p in (*path, key))
            if key not in old and (added in _GROWABLE or (added in _ADDED and new[key] == _ADDED[added])):
                continue
            found = (_difference(old[key], new[key], (*path, key)) if key in old and key in new
                     else _dotted((*path, key)))
            if found:
                return found
        return None
    if isinstance(old, list) and isinstance(new, (list, tuple)):
        if len(old) != len(new):
            return _dotted(path)
        return next(filter(None, (_difference(a, b, (*path, i)) for i, (a, b) in enumerate(zip(old, new)))), None)
    return None if old == new else _dotted(path)


def _dotted(path: tuple) -> str:
    return ".".join(map(str, path)) or "(top level)"


@dataclasses.dataclass
class Claim:
    root: Path
    study: StudySpec
    replace: bool  # the directory holds another study, to be moved aside (--fresh)
    log: Callable[[str], None]

    def record(self) -> None:
        """Make the directory this study's: move another study aside, write study.json.

        Called once the data loaded, so a run that fails before leaves the directory as it was.
        """
        if self.replace:
            _move_aside(self.root, self.log)
        if not (self.root / layout.STUDY).exists():
            # A new study: no summary it could be mistaken for.
            (self.root / layout.SUMMARY).unlink(missing_ok=True)
        write_atomic(self.root / layout.STUDY, dumps(study_record(self.study)) + "\n")


def _make_dir(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise RobustxError(f"output {root}: is a file, not a directory")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RobustxError(f"output {root}: cannot create the directory: {exc.strerror}") from None


def _take(fd: int, root: Path) -> None:
    """Lock ``fd`` (the run directory's lock file) or raise naming the run that holds it."""
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 500, 0).decode("utf-8", "replace").strip() or "another process"
        raise RobustxError(f"output {root}: locked by another run ({holder}); "
                           "wait for it to finish or choose another output") from None


def check_unlocked(root: Path) -> None:
    """Raise if a running study holds ``root`` (a look before the run: its files are in flux)."""
    try:
        fd = os.open(root / layout.LOCK, os.O_RDONLY)
    except OSError:
        return  # no lock file: nobody holds it (an unreadable one is for the run itself to report)
    try:
        _take(fd, root)
    finally:
        os.close(fd)  # closing releases the probe's lock


@contextlib.contextmanager
def _lock(root: Path) -> Iterator[None]:
    path = root / layout.LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise RobustxError(f"output {root}: not writable: {exc.strerror}") from None
    try:
        _take(fd, root)
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {stamp}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def _move_aside(root: Path, log: Callable[[str], None]) -> None:
    """Move everything but the lock into a sibling ``<name>.old-<time>`` directory."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = root.with_name(f"{root.name}.old-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = root.with_name(f"{root.name}.old-{stamp}-{n}")
    aside.mkdir()
    for entry in root.iterdir():
        if entry.name != layout.LOCK:
            entry.rename(aside / entry.name)
    log(f"[yellow]--fresh: the previous contents of {root} are in {aside}[/]")


def _temporary(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")  # store.atomic_open's names


def conflict(root: Path, study: StudySpec) -> str | None:
    """Why ``root``'s contents are not (an earlier run of) ``study``, or None."""
    study_file = root / layout.STUDY
    if not study_file.exists():
        # A temporary file is a write in flight or one a kill left behind: not another study.
        others = sorted(p.name for p in root.iterdir() if p.name != layout.LOCK and not _temporary(p.name))
        return f"it is not empty ({', '.join(others[:3])}) and holds no {layout.STUDY}" if others else None
    try:
        old = json.loads(study_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"its {layout.STUDY} is unreadable ({exc})"
    key = _difference(old, study_record(study))
    return f"it holds another study ({layout.STUDY} differs at {key!r})" if key else None


@contextlib.contextmanager
def claim(study: StudySpec, fresh: bool = False, log: Callable[[str], None] = print) -> Iterator[Claim]:
    """Hold ``study.output`` for this run; refuse it if it holds another study (``fresh``: move
    that aside when ``Claim.record`` is called)."""
    root = Path(study.output)
    _make_dir(root)
    with _lock(root):
        problem = conflict(root, study)
        if problem and not fresh:
            raise RobustxError(f"output {root}: {problem}; resume only the same study there, choose another "
                               "output, or pass --fresh to move its contents aside")
        yield Claim(root, study, replace=problem is not None, log=log)
