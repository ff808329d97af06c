"""PAN-X (WikiANN, XTREME's splits): named entities (PER, ORG, LOC) in BIO tags, 40 languages.

One example per sentence: the field ``sentence`` holds the tokens joined by one space, and
one span per token carries its tag (docs/structured.md). Files hold one ``token<TAB>tag``
per line and a blank line between sentences. The WikiANN release prefixes every token
with its language (``de:Anton``); XTREME strips that prefix, and so does this reader
where a file's first token carries it (then every token must). Tokens are never cut at
another colon: ``1:0`` and ``:`` are tokens of the data.

Row ids are the 1-based sentence number in the file (the data has no ids); the Hugging
Face rows are numbered the same way.

Layouts (``split`` is ``test`` or ``dev``):

* ``panx/<lang>.tsv``: the offline copy, which is XTREME's **dev** set (``split = "dev"``;
  there is no offline PAN-X test set);
* ``panx/<split>-<lang>.tsv``: XTREME's processed files (its test files have no tags);
* ``panx_dataset/<lang>-<split>``, ``<lang>/<split>``: the WikiANN release as XTREME downloads
  it (the per-language archives of Rahimi et al.'s splits, files ``dev``, ``test``, ``train``).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Iterator, Sequence

from robustx.errors import RobustxError
from robustx.languages import XTREME_LANGUAGES
from robustx.tasks.common import BenchmarkTask, Rows
from robustx.tasks.hf import HF_SPLITS, hf_tagging_rows
from robustx.tasks.readers import RawRow, blocks, check_rows, read_lines

HF_DATASET = "google/xtreme"

PANX_TAGS: tuple[str, ...] = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")


class PANX(BenchmarkTask):
    name: ClassVar[str] = "panx"
    kind: ClassVar[str] = "tagging"
    metric: ClassVar[str] = "f1"
    languages: ClassVar[tuple[str, ...]] = tuple(sorted(XTREME_LANGUAGES))  # all 40 XTREME languages
    labels: ClassVar[tuple[str, ...]] = PANX_TAGS
    text_fields: ClassVar[tuple[str, ...]] = ("sentence",)
    span_field: ClassVar[str] = "sentence"
    splits: ClassVar[tuple[str, ...]] = ("test", "dev")
    folders: ClassVar[tuple[str, ...]] = ("panx", "panx_dataset")

    def local_rows(self, root: Path, lang: str, split: str) -> Rows:
        files = [f"{split}-{lang}.tsv", f"{lang}-{split}", f"{lang}/{split}"]
        if split == "dev":
            files.insert(0, f"{lang}.tsv")
        try:
            path = self.locate(root, files, f"PAN-X {split} data for {lang!r}")
        except RobustxError as exc:
            copies = (root / folder / f"{lang}.tsv" for folder in (*self.folders, ""))
            dev = next((copy for copy in copies if copy.is_file()), None)
            if split == "test" and dev is not None:
                raise RobustxError(f"{exc} ({dev} is XTREME's PAN-X dev set, not test: use split = \"dev\")") from None
            raise
        lines = read_lines(path)
        check_rows(path, lines, header=False)
        return _sentences(path, lines, lang), str(path)

    def hf_rows(self, lang: str, split: str) -> Rows:
        return hf_tagging_rows(HF_DATASET, f"PAN-X.{lang}", HF_SPLITS[split], "tokens", "ner_tags")


def _sentences(path: Path, lines: Sequence[str], lang: str) -> Iterator[RawRow]:
    prefix = f"{lang}:"
    first = next((line for line in lines if line.strip()), "")
    prefixed = first.startswith(prefix)
    for number, block in enumerate(blocks(lines), start=1):
        tokens: list[str] = []
        tags: list[str] = []
        problem, where = None, f"{path}:{block.number}"
        for offset, line in enumerate(block.lines):
            cells = line.split("\t")
            if len(cells) != 2:
                problem = f"expected token<TAB>tag, got {len(cells)} tab-separated column{'s' * (len(cells) != 1)}"
            elif prefixed and not cells[0].startswith(prefix):
                problem = f"token {cells[0]!r} lacks the {prefix!r} prefix that the file's other tokens have"
            if problem:
                where = f"{path}:{block.number + offset}"
                break
            token, tag = cells
            tokens.append(token[len(prefix):] if prefixed else token)
            tags.append(tag.strip())
        if problem:
            yield RawRow(where, problem=problem)
        else:
            yield RawRow(where, str(number), tokens=tuple(tokens), tags=tuple(tags))
