"""A Tatoeba-style retrieval task over the parallel sample shipped in ``demo/data``.

The sample (everyday sentences written for robustx, with translations into ten
XTREME languages across six scripts) exists so the demo runs offline; it is a demo,
not a benchmark: use real Tatoeba (``--data-dir``) for numbers you report.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import ClassVar

from robustx.errors import RobustxError
from robustx.tasks.base import DataSource, Example, Task, TaskData

LANGUAGES = ("de", "fr", "es", "ru", "zh", "ar", "hi", "tr", "vi", "sw")


def sample_files() -> list[Path]:
    return sorted(Path(str(resources.files("robustx.demo") / "data")).glob("*.tsv"))


def read_sample() -> list[dict[str, str]]:
    """All rows of the sample, each a dict with ``id``, ``en`` and the ten languages."""
    rows: list[dict[str, str]] = []
    for path in sample_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[0].split("\t")
        for number, line in enumerate(lines[1:], start=2):
            cells = line.split("\t")
            if len(cells) != len(header) or not all(cells):
                raise RobustxError(f"{path}:{number}: expected {len(header)} non-empty tab-separated cells")
            rows.append(dict(zip(header, cells)))
    return rows


class DemoRetrieval(Task):
    name: ClassVar[str] = "demo"
    kind: ClassVar[str] = "retrieval"
    languages: ClassVar[tuple[str, ...]] = LANGUAGES
    text_fields: ClassVar[tuple[str, ...]] = ("text",)

    def load(self, lang: str, source: DataSource) -> TaskData:
        rows = read_sample()
        if source.limit:
            rows = rows[: source.limit]
        examples = [
            Example(id=f"demo/test/{lang}/{row['id']}", lang=lang, fields={"text": row[lang]}, label=str(i), row=row["id"])
            for i, row in enumerate(rows)
        ]
        return TaskData(examples=examples, source="robustx demo sample", targets=tuple(r["en"] for r in rows))
