"""``robustx.json``: what a fine-tuned checkpoint is, written beside its HF files.

Written last (after the weights) into the checkpoint directory; ``robustx run`` can read it
with :func:`read_metadata` to fill a checkpoint's group, seed and intermediate tasks. Keys:

* ``format``: 1; ``kind``: ``"robustx-finetune"``
* ``name``, ``group`` (the [[model]] name), ``seed``, ``base``, ``digest`` (of the settings that
  determine the weights), ``intermediate`` (task names, e.g. ``["xnli"]``),
  ``intermediate_data`` (data set names), ``target`` (task name), ``target_data``, ``labels``
* ``data``: per data set name: task, source, split (when read by split), lang, description, files with sha256, examples used and
  a content digest of the examples
* ``hyperparameters``: ``{"intermediate": {...}, "target": {...}, "temperature": T}``, ``prefix``
* ``sampling``: the intermediate phase's per-task probabilities, batches and epochs
* ``dev``: ``{"data", "examples", "accuracy", "majority_label", "majority_accuracy",
  "best_constant_accuracy"}``: the majority baseline predicts the most frequent *training*
  label; the best constant predicts the most frequent *dev* label (an upper bound for any
  constant predictor)
* ``heldout``: ``{"data", "rows"}``: the rows (``Example.row``, the key aligning translations of
  one item; else the id) of the target data's examples held out as dev (when dev is a
  ``holdout``), so a study can score exactly those, in any language (``[data] heldout = true``)
* ``throughput``: per phase steps, examples, seconds, examples/s, s/step
* ``code``: robustx version and git commit (when run from a checkout), torch, transformers
* ``config``: the full run config, enough to reproduce the run
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from robustx.errors import RobustxError

METADATA_FILE = "robustx.json"
FORMAT = 1


def git_commit() -> str | None:
    """The commit of the checkout robustx runs from, read from .git without running git."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        git = parent / ".git"
        if git.is_dir():
            try:
                head = (git / "HEAD").read_text().strip()
                if not head.startswith("ref: "):
                    return head
                ref = head[5:]
                if (git / ref).is_file():
                    return (git / ref).read_text().strip()
                packed = git / "packed-refs"
                if packed.is_file():
                    for line in packed.read_text().splitlines():
                        if line.endswith(" " + ref):
                            return line.split()[0]
            except OSError:
                return None
            return None
    return None


def code_version() -> dict[str, Any]:
    import torch
    import transformers

    from robustx import __version__

    return {"robustx": __version__, "git_commit": git_commit(), "torch": torch.__version__,
            "transformers": transformers.__version__}


def build_metadata(run, *, data: dict[str, dict], dev: dict, throughput: dict, sampling: dict | None,
                   heldout: dict | None = None) -> dict:
    return {
        "format": FORMAT,
        "kind": "robustx-finetune",
        "name": run.label,
        "group": run.name,
        "seed": run.seed,
        "base": run.base,
        "digest": run.digest(),
        "intermediate": [d.task for d in run.intermediate],
        "intermediate_data": [d.name for d in run.intermediate],
        "target": run.target.task,
        "target_data": run.target.name,
        "labels": list(data[run.target.name]["labels"]),
        "prefix": run.prefix,
        "data": data,
        "hyperparameters": {
            "intermediate": asdict(run.intermediate_hp) if run.intermediate else None,
            "target": asdict(run.target_hp),
            "temperature": run.temperature if run.intermediate else None,
        },
        "sampling": sampling,
        "dev": dev,
        "throughput": throughput,
        "code": code_version(),
        "config": json.loads(json.dumps(asdict(run), default=str)),
        **({"heldout": heldout} if heldout else {}),
    }


def read_metadata(directory: str | Path) -> dict | None:
    """The checkpoint's robustx.json, or None when it has none (not made by robustx finetune)."""
    path = Path(directory) / METADATA_FILE
    if not path.is_file():
        return None
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RobustxError(f"{path}: unreadable metadata: {exc}") from None
    if not isinstance(meta, dict) or meta.get("kind") != "robustx-finetune":
        raise RobustxError(f"{path}: not a robustx finetune metadata file")
    return meta
