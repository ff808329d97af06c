"""XNLI: natural language inference (premise, hypothesis) in 15 languages.

Row ids are the 0-based row index within a language: the ``index`` column of the
per-language copies, the row's position among the language's rows in the release
file and in the Hugging Face copy. One example thus has one id whichever source
it came from, and row i is the same example in every language.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Iterator, Mapping, Sequence

from robustx.tasks.common import BenchmarkTask, Rows
from robustx.tasks.hf import HF_SPLITS, hf_rows
from robustx.tasks.readers import RawRow, check_rows, read_lines, tsv_header, tsv_lines

HF_DATASET = "facebook/xnli"


class XNLI(BenchmarkTask):
    name: ClassVar[str] = "xnli"
    kind: ClassVar[str] = "classification"
    languages: ClassVar[tuple[str, ...]] = (
        "ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh",
    )
    labels: ClassVar[tuple[str, ...]] = ("entailment", "neutral", "contradiction")
    text_fields: ClassVar[tuple[str, ...]] = ("premise", "hypothesis")
    splits: ClassVar[tuple[str, ...]] = ("test", "dev")
    parallel: ClassVar[bool] = True
    folders: ClassVar[tuple[str, ...]] = ("xnli",)
    # The XNLI-MT release and copies made from it spell the third label "contradictory".
    label_aliases: ClassVar[Mapping[str, str]] = {"contradictory": "contradiction"}

    def local_rows(self, root: Path, lang: str, split: str) -> Rows:
        path = self.locate(
            root,
            (f"{split}/{lang}.tsv", f"XNLI-1.0/xnli.{split}.tsv", f"xnli.{split}.tsv"),
            f"XNLI {split} data for {lang!r}",
        )
        lines = read_lines(path)
        has_header = bool(lines) and "sentence1" in lines[0].split("\t")
        check_rows(path, lines, has_header)
        rows = _header_rows(path, lines, lang) if has_header else _plain_rows(path, lines)
        return rows, str(path)

    def hf_rows(self, lang: str, split: str) -> Rows:
        return hf_rows(HF_DATASET, lang, HF_SPLITS[split], self.text_fields, label_column="label")


def _plain_rows(path: Path, lines: Sequence[str]) -> Iterator[RawRow]:
    """XTREME's per-language copies without header: premise, hypothesis, label."""
    for line in tsv_lines(path, lines, 3):
        if line.problem:
            yield RawRow(line.where, problem=line.problem)
            continue
        premise, hypothesis, label = line.cells
        yield RawRow(line.where, str(line.number - 1), (premise, hypothesis), label)


def _header_rows(path: Path, lines: Sequence[str], lang: str) -> Iterator[RawRow]:
    """Files with a header: the per-language copies and the release's all-language file."""
    cols = tsv_header(path, lines, ("gold_label", "sentence1", "sentence2"))
    width = len(lines[0].split("\t"))
    # The release file holds every language; a per-language copy must hold only one.
    release = path.name.startswith("xnli.")
    position = 0
    for line in tsv_lines(path, lines, width, first_line=2):
        cells = line.cells
        row_lang = cells[cols["language"]] if "language" in cols and cols["language"] < len(cells) else lang
        if row_lang != lang and release:
            continue
        position += 1  # counts malformed rows too, so that skipping one shifts no id
        problem = line.problem
        if row_lang != lang:
            problem = f"row of language {row_lang!r} in the file for {lang!r}"
        if problem:
            yield RawRow(line.where, problem=problem)
            continue
        row_id = cells[cols["index"]] if "index" in cols else str(position - 1)
        texts = (cells[cols["sentence1"]], cells[cols["sentence2"]])
        yield RawRow(line.where, row_id, texts, cells[cols["gold_label"]])
