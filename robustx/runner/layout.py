"""The run directory's layout: every path under a run is named here and nowhere else.

```
RUN/.lock  study.json  summary.json  report/
RUN/perturbed/<task>/<lang>/<perturbation>.s<seed>.<key>.jsonl
RUN/predictions/<checkpoint>/<task>/<lang>/<condition>.<key>.jsonl
RUN/attacks/<checkpoint>/<task>/<lang>/<attack>.s<seed>.<key>.jsonl
RUN/timings.json        (seconds per attacked example, by attack shard: not reproducible, so apart)
```

Shard paths are relative to the run directory wherever they are stored (``summary.json``
lists them), so a run directory can be moved or copied whole.
"""

from __future__ import annotations

import re
from pathlib import Path

STUDY = "study.json"
SUMMARY = "summary.json"
LOCK = ".lock"
TIMINGS = "timings.json"
REPORT = "report"

# Checkpoint and perturbation names become path components: letters of any script,
# digits and a few separators, never a leading dot ("..", hidden files) or a slash.
_NAME = re.compile(r"(?!\.)[\w.:+=-]{1,100}")
NAME_RULE = "letters, digits and . _ - + = : (not starting with '.'), at most 100 characters"


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a path component of a run directory, or None if it can."""
    if not _NAME.fullmatch(name):
        return f"{name!r} cannot name files: use {NAME_RULE}"
    return None


def perturbed_shard(task: str, lang: str, perturbation: str, seed: int, key: str) -> Path:
    return Path("perturbed", task, lang, f"{perturbation}.s{seed}.{key}.jsonl")


def prediction_shard(checkpoint: str, task: str, lang: str, condition: str, key: str) -> Path:
    # "name@seed" conditions are spelled "name.s<seed>" like perturbed shards.
    return Path("predictions", checkpoint, task, lang, f"{condition.replace('@', '.s')}.{key}.jsonl")


def attack_shard(checkpoint: str, task: str, lang: str, attack: str, seed: int, key: str) -> Path:
    return Path("attacks", checkpoint, task, lang, f"{attack}.s{seed}.{key}.jsonl")
