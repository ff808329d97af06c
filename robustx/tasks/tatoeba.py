"""Tatoeba (XTREME's version): retrieve the English translation of each sentence.

Each non-English sentence is an example with the field ``text``; the English
sentences form the target pool (``TaskData.targets``) and an example's label is
the index of its translation in that pool, as a string. The files are LASER's
``tatoeba.<xxx>-eng.{xxx,eng}`` pairs, line i translating line i; the row id is
the 1-based line number. With ``limit`` N the pool is the N kept pairs' English.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Iterator, Sequence

from robustx.languages import TATOEBA_CODES
from robustx.tasks.common import BenchmarkTask, Rows
from robustx.tasks.hf import hf_rows
from robustx.tasks.readers import RawRow, check_rows, read_lines

HF_DATASET = "google/xtreme"


class Tatoeba(BenchmarkTask):
    name: ClassVar[str] = "tatoeba"
    kind: ClassVar[str] = "retrieval"
    languages: ClassVar[tuple[str, ...]] = tuple(sorted(set(TATOEBA_CODES) - {"en"}))
    text_fields: ClassVar[tuple[str, ...]] = ("text",)
    folders: ClassVar[tuple[str, ...]] = ("tatoeba",)

    def local_rows(self, root: Path, lang: str, split: str) -> Rows:
        code = TATOEBA_CODES[lang]
        stem = f"tatoeba.{code}-eng"
        # LASER keeps the files in data/tatoeba/v1; the local copy has them flat.
        source = self.locate(root, (f"{stem}.{code}", f"v1/{stem}.{code}"), f"Tatoeba file for {lang!r} ({code})")
        english = source.with_name(f"{stem}.eng")
        lines = read_lines(source)
        check_rows(source, lines, header=False)
        return _pairs(source, lines, english, read_lines(english)), str(source)

    def hf_rows(self, lang: str, split: str) -> Rows:
        # XTREME's Tatoeba is a test set, published on the hub as its only split, "validation";
        # source_sentence is the non-English side. first_id=1 gives the files' line numbers.
        config = f"tatoeba.{TATOEBA_CODES[lang]}"
        return hf_rows(
            HF_DATASET, config, "validation", ("source_sentence",), first_id=1, target_column="target_sentence"
        )


def _pairs(source: Path, lines: Sequence[str], english: Path, targets: Sequence[str]) -> Iterator[RawRow]:
    # Lines without a partner come first, so a mismatch fails (or is counted) even with a limit.
    shorter, longer = sorted(((source, lines), (english, targets)), key=lambda f: len(f[1]))
    for number in range(len(shorter[1]) + 1, len(longer[1]) + 1):
        problem = f"no matching line in {shorter[0]}, which has {len(shorter[1])} lines"
        yield RawRow(f"{longer[0]}:{number}", problem=problem)
    for number, (text, target) in enumerate(zip(lines, targets), start=1):
        if not target.strip():
            yield RawRow(f"{english}:{number}", problem="empty English translation")
            continue
        yield RawRow(f"{source}:{number}", str(number), (text,), target=target)
