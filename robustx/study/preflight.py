"""Preflight: the checks of a loaded study that need files or the machine, but no weights.

``robustx validate`` runs them (and loads the data); ``run_study`` runs them before it
takes the output directory, so a study that passes ``validate`` can fail in ``run`` only
on what the weights themselves show.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from robustx.errors import RobustxError
from robustx.study.spec import StudySpec


def preflight(study: StudySpec, task, fresh: bool = False) -> None:
    from robustx.models.inspect import check_checkpoint

    check_output(study, fresh)
    check_device(study.run.device)
    for checkpoint in study.checkpoints:
        check_checkpoint(checkpoint, task)


def check_output(study: StudySpec, fresh: bool = False) -> None:
    """The output is a writable directory, or can be made one, and holds this study or nothing."""
    from robustx.runner.rundir import check_unlocked, conflict

    root = Path(study.output)
    if root.exists() and not root.is_dir():
        raise RobustxError(f"output {root}: is a file, not a directory")
    existing = next(p for p in (root, *root.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise RobustxError(f"output {root}: {existing} is a file, not a directory")
    try:  # a real probe: permission bits say nothing to root, or on read-only and virtual file systems
        os.rmdir(tempfile.mkdtemp(dir=existing, prefix=".robustx-probe-"))
    except OSError as exc:
        raise RobustxError(f"output {root}: cannot write in {existing}: {exc.strerror}") from None
    if root.is_dir():
        check_unlocked(root)
    problem = None if fresh or not root.exists() else conflict(root, study)
    if problem:
        raise RobustxError(f"output {root}: {problem}; run would refuse it: choose another output, "
                           "or pass --fresh to move its contents aside")


def check_device(name: str) -> None:
    """``cuda[:N]`` or ``mps`` exist on this machine (``cpu`` and ``auto`` always do)."""
    kind, _, index = name.partition(":")
    if kind in ("cpu", "auto"):
        return
    import torch

    if kind == "mps":
        available = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
        count = int(available)
    else:
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if int(index or 0) >= count:
        seen = f"{count} {kind} device{'s' if count != 1 else ''}"
        raise RobustxError(f"run.device: {name!r}, but this torch {torch.__version__} sees {seen}; "
                           "use device = \"cpu\" or \"auto\"")
