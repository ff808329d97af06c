"""UD-POS: universal part-of-speech tags (Universal Dependencies 2.5, as XTREME uses it).

One example per sentence: the field ``sentence`` holds the word forms joined by one space,
and one span per word carries its UPOS tag (docs/structured.md). Multiword-token lines
(``1-2``) and empty nodes (``1.1``) are skipped: the syntactic words keep their forms.

A language reads every treebank of the release whose files carry its code
(``<code>_<treebank>-ud-<split>.conllu``, e.g. ``de_gsd``, ``de_pud``), concatenated in
file-name order, as XTREME's download script does; as there, a sentence whose forms are
all ``_`` (treebanks distributed without their text), or all but one, is left out.

Row ids are ``<treebank>:<sent_id>`` (``de_gsd:test-s1``), or ``<treebank>:<n>`` for the
n-th sentence of a file without ``sent_id`` comments: unique within a language whichever
treebanks are present, and never equal across languages by accident (GSD treebanks of
different languages share ``sent_id`` values such as ``test-s1``). Parallel UD (PUD)
treebanks hold translations of the same 1000 sentences with the same ``sent_id`` in every
language, so their rows are ``pud:<sent_id>``: aligned across languages, like XNLI's rows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar, Iterator, Mapping, Sequence

from robustx.errors import RobustxError
from robustx.tasks.common import BenchmarkTask, Rows
from robustx.tasks.hf import HF_SPLITS, hf_tagging_rows
from robustx.tasks.readers import Block, RawRow, blocks, check_rows, read_lines

HF_DATASET = "google/xtreme"

UPOS_TAGS: tuple[str, ...] = (
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT",
    "SCONJ", "SYM", "VERB", "X",
)

# XTREME's UD-POS languages and the names in google/xtreme's configs (udpos.<Name>), which
# are also the language part of the release's folder names (UD_<Name>-<Treebank>).
UD_NAMES: Mapping[str, str] = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "kk": "Kazakh", "ko": "Korean", "mr": "Marathi", "nl": "Dutch", "pt": "Portuguese", "ru": "Russian",
    "ta": "Tamil", "te": "Telugu", "th": "Thai", "tl": "Tagalog", "tr": "Turkish", "ur": "Urdu",
    "vi": "Vietnamese", "yo": "Yoruba", "zh": "Chinese",
}

# Where treebank folders (UD_*) are looked for under a data root, in order: the local copy
# (udpos/), the release archive's folder, or the root itself (a release folder given directly).
RELEASE_FOLDERS: tuple[str, ...] = ("udpos", "ud-treebanks-v2.5", "")

_MULTIWORD = re.compile(r"[0-9]+-[0-9]+")
_EMPTY_NODE = re.compile(r"[0-9]+\.[0-9]+")


class UDPOS(BenchmarkTask):
    name: ClassVar[str] = "udpos"
    kind: ClassVar[str] = "tagging"
    metric: ClassVar[str] = "accuracy"
    languages: ClassVar[tuple[str, ...]] = tuple(sorted(UD_NAMES))
    labels: ClassVar[tuple[str, ...]] = UPOS_TAGS
    text_fields: ClassVar[tuple[str, ...]] = ("sentence",)
    span_field: ClassVar[str] = "sentence"
    splits: ClassVar[tuple[str, ...]] = ("test", "dev")
    folders: ClassVar[tuple[str, ...]] = RELEASE_FOLDERS

    def local_rows(self, root: Path, lang: str, split: str) -> Rows:
        files = treebank_files(root, lang, split)
        origin = str(files[0]) if len(files) == 1 else ", ".join(str(f) for f in files)
        return _rows(files), origin

    def hf_rows(self, lang: str, split: str) -> Rows:
        return hf_tagging_rows(HF_DATASET, f"udpos.{UD_NAMES[lang]}", HF_SPLITS[split], "tokens", "pos_tags")


def treebank_files(root: Path, lang: str, split: str) -> list[Path]:
    """Every ``<lang>_*-ud-<split>.conllu`` of the first release folder under ``root`` that has
    one, in file-name order (or of ``root`` itself, a single treebank's folder).

    Raises:
        RobustxError: listing the patterns looked for.
    """
    name = f"{lang}_*-ud-{split}.conllu"
    patterns = [(root / folder if folder else root, f"UD_*/{name}") for folder in RELEASE_FOLDERS]
    patterns.append((root, name))
    for base, pattern in patterns:
        files = sorted((p for p in base.glob(pattern) if p.is_file()), key=lambda p: p.name)
        if files:
            return files
    looked = ", ".join(str(base / pattern) for base, pattern in patterns)
    what = f"UD-POS {split} data for {lang!r} ({UD_NAMES[lang]})"
    raise RobustxError(f"no {what} found under {root}; looked for: {looked}")


def treebank_of(path: Path) -> str:
    """The row-id prefix of a treebank file: its code (``de_gsd``), or ``pud`` for a PUD treebank."""
    code = path.name.split("-ud-")[0]
    return "pud" if code.endswith("_pud") else code


def _rows(files: Sequence[Path]) -> Iterator[RawRow]:
    for path in files:  # read one by one, so that a limit stops before the next treebank
        lines = read_lines(path)
        check_rows(path, lines, header=False)
        treebank = treebank_of(path)
        for number, block in enumerate(blocks(lines), start=1):
            row = _sentence(path, block, treebank, number)
            if row is not None:
                yield row


def _sentence(path: Path, block: Block, treebank: str, number: int) -> RawRow | None:
    """One sentence of a CoNLL-U file, or None for a sentence whose text is withheld."""
    sent_id = ""
    tokens: list[str] = []
    tags: list[str] = []
    for offset, line in enumerate(block.lines):
        where = f"{path}:{block.number + offset}"
        if line.startswith("#"):
            key, sep, value = line[1:].partition("=")
            if sep and key.strip() == "sent_id":
                sent_id = value.strip()
            continue
        cells = line.split("\t")
        if len(cells) != 10:
            return RawRow(where, problem=f"expected 10 tab-separated columns, got {len(cells)}")
        word_id = cells[0]
        if _MULTIWORD.fullmatch(word_id) or _EMPTY_NODE.fullmatch(word_id):
            continue
        if not (word_id.isascii() and word_id.isdigit()) or int(word_id) != len(tokens) + 1:
            return RawRow(where, problem=f"word id {word_id!r} where {len(tokens) + 1} was expected")
        tokens.append(cells[1])
        tags.append(cells[3])
    where = f"{path}:{block.number}"
    if not tokens:
        return RawRow(where, problem="a sentence without word lines")
    withheld = tokens.count("_")
    if withheld and withheld >= len(tokens) - 1:
        return None  # XTREME's rule for treebanks whose text is not distributed (forms are "_")
    row_id = f"{treebank}:{sent_id or number}"
    return RawRow(where, row_id, tokens=tuple(tokens), tags=tuple(tags))
