"""The run directory's layout: every path under a run is named here and nowhere else.

```
RUN/.lock  study.json  summary.json  report/
RUN/perturbed/<task>/<lang>/<perturbation>.s<seed>.<key>.jsonl
RUN/predictions/<checkpoint>/<task>/<lang>/<condition>.<key>.jsonl
```

Shard paths are relative to the run directory wherever they are stored (``summary.json``
lists them), so a run directory can be moved or copied whole.
"""

from __future__ import annotations

from pathlib import Path

STUDY = "study.json"
SUMMARY = "summary.json"
LOCK = ".lock"
REPORT = "report"


def perturbed_shard(task: str, lang: str, perturbation: str, seed: int, key: str) -> Path:
    return Path("perturbed", task, lang, f"{perturbation}.s{seed}.{key}.jsonl")


def prediction_shard(checkpoint: str, task: str, lang: str, condition: str, key: str) -> Path:
    # "name@seed" conditions are spelled "name.s<seed>" like perturbed shards.
    return Path("predictions", checkpoint, task, lang, f"{condition.replace('@', '.s')}.{key}.jsonl")
