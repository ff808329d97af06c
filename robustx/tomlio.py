"""Reading TOML with errors that name the file and line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from robustx.errors import RobustxError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def read_toml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RobustxError(f"{path}: file not found") from None
    except OSError as exc:  # a directory, no permission, ...
        raise RobustxError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise RobustxError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RobustxError(f"{path}: invalid TOML: {exc}") from None


def merge_tables(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``: tables merge key by key, every other value (arrays of
    tables included) is replaced whole, so a file that lists ``[[model]]`` lists all of them."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_tables(merged[key], value)
        else:
            merged[key] = value
    return merged
