"""BUCC 2018: mine the parallel sentence pairs hidden in comparable corpora (de fr ru zh to en).

Examples are the non-English sentences (field ``sentence``, row = the BUCC id such as
``zh-000000057``); ``TaskData.targets`` are the English sentences and ``target_ids`` their
ids; an example's label is its gold English id, or None for a sentence without a pair (most
of them: BUCC is mining, not retrieval). With ``limit`` N the examples are the first N
sentences and the English pool stays whole, so every kept gold pair still resolves.

Files hold ``id<TAB>sentence`` lines; the gold file ``<lang>-id<TAB>en-id`` lines.
Layouts (``split`` is ``test`` or ``dev``):

* ``bucc2018/<lang>-en.<split>.{<lang>,en,gold}``: XTREME's download layout and the offline
  copy (which holds ``zh-en.dev`` only). XTREME renames the release's ``training`` set to
  ``test`` and its ``sample`` set to ``dev``, and deletes its test gold (so the test split
  needs the release files);
* ``bucc2018/<lang>-en/<lang>-en.{training,sample}.{<lang>,en,gold}``: the release archives
  unpacked (``training`` is read for ``test``, ``sample`` for ``dev``, as XTREME does).

There is no Hugging Face source: google/xtreme's ``bucc18`` configs hold only the gold
pairs, without the ids and the unpaired sentences that mining needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Iterator, Sequence

from robustx.errors import RobustxError
from robustx.tasks.common import BenchmarkTask, Pool, Rows
from robustx.tasks.readers import RawRow, check_rows, read_lines, tsv_lines

# The BUCC release's name for the set XTREME calls each split.
RELEASE_SETS = {"test": "training", "dev": "sample"}


class BUCC18(BenchmarkTask):
    name: ClassVar[str] = "bucc18"
    kind: ClassVar[str] = "mining"
    metric: ClassVar[str] = "f1"
    languages: ClassVar[tuple[str, ...]] = ("de", "fr", "ru", "zh")
    text_fields: ClassVar[tuple[str, ...]] = ("sentence",)
    splits: ClassVar[tuple[str, ...]] = ("test", "dev")
    folders: ClassVar[tuple[str, ...]] = ("bucc2018",)

    def local_rows(self, root: Path, lang: str, split: str) -> Rows:
        stem = f"{lang}-en.{split}"
        release = f"{lang}-en/{lang}-en.{RELEASE_SETS[split]}"
        source = self.locate(root, (f"{stem}.{lang}", f"{release}.{lang}"), f"BUCC 2018 {split} data for {lang!r}")
        base = source.name[: -len(lang)]  # "zh-en.dev." or "zh-en.sample."
        english, gold = source.with_name(base + "en"), source.with_name(base + "gold")
        lines = read_lines(source)
        check_rows(source, lines, header=False)
        english_lines = read_lines(english)
        check_rows(english, english_lines, header=False)
        if not gold.is_file():
            hint = " (XTREME's download script deletes the test gold: read the release's training files)"
            raise RobustxError(f"no BUCC 2018 gold file {gold}{hint if split == 'test' else ''}")
        gold_lines = read_lines(gold)
        if not any(line.strip() for line in gold_lines):
            raise RobustxError(f"{gold}: no gold pairs (empty file)")
        problems, pool = _pool(english, english_lines)
        return _rows(source, lines, english, gold, gold_lines, pool, problems), str(source), pool

    def hf_rows(self, lang: str, split: str) -> Rows:
        raise RobustxError(
            "task 'bucc18' has no Hugging Face source: google/xtreme's bucc18 configs hold only the gold pairs, "
            "not the sentence ids and unpaired sentences that mining needs; use the BUCC 2018 files (source = 'local')"
        )


def _pool(path: Path, lines: Sequence[str]) -> tuple[list[RawRow], Pool]:
    """The English sentences, and a problem row for each malformed line (left out of the pool)."""
    problems: list[RawRow] = []
    ids: list[str] = []
    texts: list[str] = []
    seen: dict[str, str] = {}
    for line in tsv_lines(path, lines, 2):
        problem = line.problem
        if problem is None:
            target_id, text = line.cells
            if not target_id.strip():
                problem = "empty id"
            elif not text.strip():
                problem = "empty sentence"
            elif target_id in seen:
                problem = f"duplicate id {target_id!r} (first at {seen[target_id]})"
        if problem:
            problems.append(RawRow(line.where, problem=problem))
            continue
        seen[target_id] = line.where
        ids.append(target_id)
        texts.append(text)
    return problems, Pool(tuple(ids), tuple(texts))


def _rows(
    source: Path, lines: Sequence[str], english: Path, gold: Path, gold_lines: Sequence[str], pool: Pool,
    problems: list[RawRow],
) -> Iterator[RawRow]:
    # Malformed English and gold lines come first, so they fail (or are counted) even with a limit.
    yield from problems
    sentences = {line.split("\t", 1)[0] for line in lines}
    targets = set(pool.ids)
    pairs: dict[str, str] = {}
    first: dict[str, str] = {}
    for line in tsv_lines(gold, gold_lines, 2):
        if not "".join(line.cells).strip():
            continue  # a blank line
        problem = line.problem
        if problem is None:
            sentence_id, target_id = line.cells
            if sentence_id not in sentences:
                problem = f"gold pair of {sentence_id!r}, which is not a sentence of {source.name}"
            elif target_id not in targets:
                problem = f"gold pair to {target_id!r}, which is not a sentence of {english.name}"
            elif sentence_id in pairs:
                problem = f"second gold pair of {sentence_id!r} (first at {first[sentence_id]})"
        if problem:
            yield RawRow(line.where, problem=problem)
            continue
        pairs[sentence_id] = target_id
        first[sentence_id] = line.where
    for line in tsv_lines(source, lines, 2):
        if line.problem:
            yield RawRow(line.where, problem=line.problem)
            continue
        sentence_id, text = line.cells
        yield RawRow(line.where, sentence_id, (text,), pairs.get(sentence_id))
