"""File reading shared by the local readers: layout detection, lines and TSV rows.

Lines are split on ``\\n`` only: ``str.splitlines`` would also split inside a sentence
at U+2028, U+0085 or form feeds, which occur in crawled text. TSV cells are split
on tabs with no quoting, because XNLI and PAWS-X sentences contain unbalanced
quote characters that a CSV reader would let swallow the following lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, NamedTuple, Sequence

from robustx.errors import RobustxError


class RawRow(NamedTuple):
    """One data row as a reader saw it, before validation.

    ``where`` locates it for messages (``path:line`` or ``dataset row n``). A reader
    sets ``problem`` for a structurally malformed row instead of raising, so that
    ``allow_skip`` can count it; the row's other fields are then unused.

    Structured rows carry their structure raw: a tagging row its ``tokens`` and ``tags``
    (``texts`` unused: the sentence is the tokens joined by one space), a QA row its
    ``answers``. ``tasks.common`` checks them and makes the spans, once for every reader.
    """

    where: str
    row_id: str = ""
    texts: tuple[str, ...] = ()
    label: str | None = None
    target: str | None = None
    problem: str | None = None
    tokens: tuple[str, ...] = ()  # tagging: the gold tokens, whose tags are in ``tags``
    tags: tuple[str, ...] = ()
    answers: tuple[tuple[object, object], ...] = ()  # qa: (answer_start, text) as the source gave them


def find_file(root: Path, candidates: Sequence[Path], what: str) -> Path:
    """The first of ``candidates`` (relative to ``root``) that exists.

    Raises:
        RobustxError: listing every path looked for.
    """
    for relative in candidates:
        if (root / relative).is_file():
            return root / relative
    looked = ", ".join(str(root / c) for c in candidates)
    raise RobustxError(f"no {what} found under {root}; looked for: {looked}")


def read_lines(path: Path) -> list[str]:
    """The lines of a UTF-8 text file without line terminators (a BOM is dropped).

    Raises:
        RobustxError: if the file is missing or not valid UTF-8 (naming the line).
    """
    lines = read_text(path).split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def read_text(path: Path) -> str:
    """The text of a UTF-8 file (a BOM is dropped).

    Raises:
        RobustxError: if the file is missing or not valid UTF-8 (naming the line).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RobustxError(f"file not found: {path}") from None
    except OSError as exc:
        raise RobustxError(f"cannot read {path}: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RobustxError(f"{path}:{line}: not valid UTF-8") from None
    return text


def check_rows(path: Path, lines: Sequence[str], header: bool) -> None:
    """Raise a RobustxError naming ``path`` if it holds no data row: a file that is empty (or
    blank) or, where ``header`` is true, holds nothing but its header line."""
    if not any(line.strip() for line in lines):
        raise RobustxError(f"{path}: no examples (empty file)")
    if header and not any(line.strip() for line in lines[1:]):
        raise RobustxError(f"{path}: no examples (header only)")


def tsv_header(path: Path, lines: Sequence[str], required: Sequence[str]) -> dict[str, int]:
    """Column positions from the first line, checking that ``required`` columns are present."""
    header = lines[0].split("\t") if lines else []
    missing = [name for name in required if name not in header]
    if missing:
        raise RobustxError(
            f"{path}:1: header lacks column(s) {', '.join(missing)}; expected a header with {', '.join(required)}"
        )
    return {name: i for i, name in enumerate(header)}


class TsvLine(NamedTuple):
    """One TSV line: where it is, its 1-based number, its cells, and why it is malformed."""

    where: str
    number: int
    cells: list[str]
    problem: str | None


def tsv_lines(path: Path, lines: Sequence[str], width: int, first_line: int = 1) -> Iterator[TsvLine]:
    """Each line from ``first_line`` (1-based) split into cells, flagged unless it has ``width`` cells."""
    for number in range(first_line, len(lines) + 1):
        cells = lines[number - 1].split("\t")
        problem = None if len(cells) == width else f"expected {width} tab-separated columns, got {len(cells)}"
        yield TsvLine(f"{path}:{number}", number, cells, problem)


def read_json(path: Path) -> object:
    """The JSON value in a UTF-8 file.

    Raises:
        RobustxError: if the file is missing, not UTF-8, empty, or not JSON (naming the line).
    """
    import json

    text = read_text(path)
    if not text.strip():
        raise RobustxError(f"{path}: no examples (empty file)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RobustxError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno})") from None


class Block(NamedTuple):
    """The lines of one blank-line-separated block (a sentence of a CoNLL-style file)."""

    number: int  # the 1-based line number of its first line
    lines: list[str]


def blocks(lines: Sequence[str]) -> Iterator[Block]:
    """The blocks of ``lines`` that white-space-only lines separate (several in a row are one
    separator; a last block needs none after it)."""
    start, block = 0, []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield Block(start, block)
            block = []
    if block:
        yield Block(start, block)
