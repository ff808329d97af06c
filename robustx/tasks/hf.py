"""Rows from Hugging Face ``datasets`` (for online users; ``datasets`` is imported lazily).

Integer labels are named through the dataset's own ``ClassLabel`` feature, never
through a hard-coded order: label orders differ between copies of the same data.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

from robustx.errors import RobustxError
from robustx.tasks.readers import RawRow

# robustx split names -> Hugging Face split names.
HF_SPLITS = {"test": "test", "dev": "validation"}


def load_split(dataset: str, config: str, split: str) -> Any:
    """One split of a hub dataset, with every failure turned into a one-line RobustxError."""
    try:
        import datasets
    except ImportError:
        raise RobustxError("data source 'hf' needs the datasets package: pip install datasets") from None
    try:
        return datasets.load_dataset(dataset, config, split=split)
    except Exception as exc:  # network, authentication, unknown config: all the user's to fix
        reason = next(iter(str(exc).strip().splitlines()), "") or type(exc).__name__
        raise RobustxError(f"cannot load Hugging Face dataset {dataset} ({config}, {split}): {reason}") from exc


def hf_rows(
    dataset: str,
    config: str,
    split: str,
    text_columns: Sequence[str],
    *,
    id_column: str | None = None,
    first_id: int = 0,
    label_column: str | None = None,
    target_column: str | None = None,
) -> tuple[Iterator[RawRow], str]:
    """The rows of one split and its description.

    Args:
        dataset, config, split: what to load (``split`` in Hugging Face naming).
        text_columns: the columns holding the task's text fields, in order.
        id_column: the dataset's own id column; without one, the row id is the row's
            position plus ``first_id`` (chosen by the task to match its files' ids).
        label_column: the label column of a classification task.
        target_column: the gold target text of a retrieval task.
    """
    ds, origin = _split_with(dataset, config, split, (*text_columns, id_column, label_column, target_column))
    names = getattr(ds.features[label_column], "names", None) if label_column else None

    def rows() -> Iterator[RawRow]:
        for i, record in enumerate(ds):
            yield RawRow(
                where=f"{origin} row {i}",
                row_id=str(record[id_column]) if id_column else str(i + first_id),
                texts=tuple(_text(record[c]) for c in text_columns),
                label=_label(record[label_column], names) if label_column else None,
                target=_text(record[target_column]) if target_column else None,
            )

    return rows(), origin


def hf_tagging_rows(
    dataset: str, config: str, split: str, tokens_column: str, tags_column: str
) -> tuple[Iterator[RawRow], str]:
    """The rows of a token-tagging split: tokens and tags (named through the ClassLabel of the
    tag sequence); the row id is the 1-based position, as the sentence number of a file."""
    ds, origin = _split_with(dataset, config, split, (tokens_column, tags_column))
    names = getattr(getattr(ds.features[tags_column], "feature", None), "names", None)

    def rows() -> Iterator[RawRow]:
        for i, record in enumerate(ds):
            tokens, tags = record[tokens_column], record[tags_column]
            yield RawRow(
                where=f"{origin} row {i}",
                row_id=str(i + 1),
                tokens=tuple(_text(t) for t in tokens or ()),
                tags=tuple(_label(t, names) for t in tags or ()),
            )

    return rows(), origin


def hf_qa_rows(
    dataset: str, config: str, split: str, keep: Callable[[str], bool] | None = None
) -> tuple[Iterator[RawRow], str]:
    """The rows of a SQuAD-style split (``id``, ``question``, ``context``, ``answers`` with
    ``answer_start`` and ``text`` lists); ``keep`` selects rows by id (TyDiQA's languages)."""
    ds, origin = _split_with(dataset, config, split, ("id", "question", "context", "answers"))

    def rows() -> Iterator[RawRow]:
        for i, record in enumerate(ds):
            row_id = str(record["id"])
            if keep is not None and not keep(row_id):
                continue
            yield RawRow(
                where=f"{origin} row {i} (question {row_id})",
                row_id=row_id,
                texts=(_text(record["question"]), _text(record["context"])),
                answers=_answer_pairs(record["answers"]),
            )

    return rows(), origin


def _answer_pairs(answers: Any) -> tuple[tuple[object, object], ...]:
    # datasets gives a sequence of structs as a struct of lists; a list of dicts is accepted too.
    if isinstance(answers, dict):
        return tuple(zip(answers.get("answer_start") or (), answers.get("text") or ()))
    return tuple((a.get("answer_start"), a.get("text")) for a in answers or () if isinstance(a, dict))


def _split_with(dataset: str, config: str, split: str, columns: Sequence[str | None]) -> tuple[Any, str]:
    """One split and its description, checked to have ``columns``."""
    ds = load_split(dataset, config, split)
    origin = f"hf:{dataset}/{config}/{split}"
    missing = [c for c in columns if c and c not in ds.column_names]
    if missing:
        raise RobustxError(f"{origin} lacks column(s) {', '.join(missing)}; it has {', '.join(ds.column_names)}")
    return ds, origin


def _text(value: Any) -> str:
    # Some hub copies keep the files' line terminators (XTREME's Tatoeba does).
    return "" if value is None else str(value).rstrip("\r\n")


def _label(value: Any, names: Sequence[str] | None) -> str:
    if names is not None and isinstance(value, int) and 0 <= value < len(names):
        return names[value]
    return str(value)  # a string label, or an id outside the ClassLabel (e.g. -1 = missing)
