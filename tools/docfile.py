"""Write a generated doc, or with ``check`` only say whether it is current: shared by the doc tools."""

from __future__ import annotations

import sys
from pathlib import Path


def write_or_check(path: Path, text: str, tool: str, check: bool) -> int:
    """Exit status for a tool's ``main``: 1 when ``check`` finds ``path`` stale, else 0 (writing it if needed)."""
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if current == text:
        return 0
    if check:
        print(f"{path} is out of date: run python tools/{tool}", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
    return 0
