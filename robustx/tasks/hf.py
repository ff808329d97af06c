"""Rows from Hugging Face ``datasets`` (for online users; ``datasets`` is imported lazily).

Integer labels are named through the dataset's own ``ClassLabel`` feature, never
through a hard-coded order: label orders differ between copies of the same data.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

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
    ds = load_split(dataset, config, split)
    origin = f"hf:{dataset}/{config}/{split}"
    needed = [c for c in (*text_columns, id_column, label_column, target_column) if c]
    missing = [c for c in needed if c not in ds.column_names]
    if missing:
        raise RobustxError(f"{origin} lacks column(s) {', '.join(missing)}; it has {', '.join(ds.column_names)}")
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


def _text(value: Any) -> str:
    # Some hub copies keep the files' line terminators (XTREME's Tatoeba does).
    return "" if value is None else str(value).rstrip("\r\n")


def _label(value: Any, names: Sequence[str] | None) -> str:
    if names is not None and isinstance(value, int) and 0 <= value < len(names):
        return names[value]
    return str(value)  # a string label, or an id outside the ClassLabel (e.g. -1 = missing)
