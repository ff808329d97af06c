"""PAWS-X: paraphrase identification (sentence1, sentence2) in 7 languages; label 1 = paraphrase.

Row ids are the release's ``id`` column where the file has one (the test copies,
the release's ``x-final`` files, the Hugging Face copy); XTREME's dev copies have
no ids, so there the id is the 1-based line number.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Iterator, Mapping, Sequence

from robustx.tasks.common import BenchmarkTask, Rows
from robustx.tasks.hf import HF_SPLITS, hf_rows
from robustx.tasks.readers import RawRow, check_rows, read_lines, tsv_header, tsv_lines

HF_DATASET = "google-research-datasets/paws-x"


class PAWSX(BenchmarkTask):
    name: ClassVar[str] = "pawsx"
    kind: ClassVar[str] = "classification"
    languages: ClassVar[tuple[str, ...]] = ("de", "en", "es", "fr", "ja", "ko", "zh")
    labels: ClassVar[tuple[str, ...]] = ("not_paraphrase", "paraphrase")
    text_fields: ClassVar[tuple[str, ...]] = ("sentence1", "sentence2")
    splits: ClassVar[tuple[str, ...]] = ("test", "dev")
    parallel: ClassVar[bool] = True
    folders: ClassVar[tuple[str, ...]] = ("pawsx",)
    # The files and the Hugging Face ClassLabel both name the classes "0" and "1".
    label_aliases: ClassVar[Mapping[str, str]] = {"0": "not_paraphrase", "1": "paraphrase"}

    def local_rows(self, root: Path, lang: str, split: str) -> Rows:
        path = self.locate(
            root,
            (f"{split}/{lang}.tsv", f"x-final/{lang}/{split}_2k.tsv", f"{lang}/{split}_2k.tsv"),
            f"PAWS-X {split} data for {lang!r}",
        )
        lines = read_lines(path)
        has_header = bool(lines) and "sentence1" in lines[0].split("\t")
        check_rows(path, lines, has_header)
        return (_header_rows(path, lines) if has_header else _plain_rows(path, lines)), str(path)

    def hf_rows(self, lang: str, split: str) -> Rows:
        return hf_rows(HF_DATASET, lang, HF_SPLITS[split], self.text_fields, id_column="id", label_column="label")


def _plain_rows(path: Path, lines: Sequence[str]) -> Iterator[RawRow]:
    """XTREME's dev copies: sentence1, sentence2, label, no header and no id."""
    for line in tsv_lines(path, lines, 3):
        if line.problem:
            yield RawRow(line.where, problem=line.problem)
            continue
        sentence1, sentence2, label = line.cells
        yield RawRow(line.where, str(line.number), (sentence1, sentence2), label)


def _header_rows(path: Path, lines: Sequence[str]) -> Iterator[RawRow]:
    """The release layout (``id sentence1 sentence2 label``), also used by the test copies."""
    cols = tsv_header(path, lines, ("id", "sentence1", "sentence2", "label"))
    for line in tsv_lines(path, lines, len(lines[0].split("\t")), first_line=2):
        if line.problem:
            yield RawRow(line.where, problem=line.problem)
            continue
        cells = line.cells
        texts = (cells[cols["sentence1"]], cells[cols["sentence2"]])
        yield RawRow(line.where, cells[cols["id"]], texts, cells[cols["label"]])
