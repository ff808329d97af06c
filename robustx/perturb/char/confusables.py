"""Unicode confusables (UTS #39): which single characters look alike.

``confusables.txt`` maps each confusable character to a prototype; characters that
share a prototype are confusable with each other. ``classes`` reads the classes of
single code points either from the bundled table (``confusables_data``, generated
from ``confusables.txt`` 14.0.0 by ``tools/gen_confusables.py``) or from a
``confusables.txt`` of the user's choice, so a newer Unicode version can be used
without a new robustx release.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from robustx.errors import RobustxError


def parse(text: str) -> tuple[str, tuple[tuple[str, ...], ...]]:
    """``(version, classes)`` of a ``confusables.txt``.

    A class is the prototype followed by the characters that map to it, in code point
    order; only mappings between single code points count, and only classes of two
    or more characters are kept. Classes are sorted by prototype.
    """
    version = ""
    members: dict[str, set[str]] = defaultdict(set)
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("# Version:"):
            version = line.partition(":")[2].strip()
        data = line.partition("#")[0].strip().lstrip("\ufeff")
        if not data:
            continue
        fields = [field.strip() for field in data.split(";")]
        if len(fields) < 2:
            raise ValueError(f"line {number}: expected 'source ; target ; type', got {line!r}")
        try:
            source = [chr(int(code, 16)) for code in fields[0].split()]
            target = [chr(int(code, 16)) for code in fields[1].split()]
        except ValueError:
            raise ValueError(f"line {number}: bad code point in {line!r}") from None
        if len(source) == 1 and len(target) == 1 and source != target:
            members[target[0]].add(source[0])
    classes = tuple(
        (proto, *sorted(members[proto] - {proto}, key=ord)) for proto in sorted(members, key=ord)
    )
    return version, classes


def check_path(path: str) -> None:
    """Raise ``ValueError`` with a clear message unless ``path`` is a readable file."""
    if not Path(path).expanduser().is_file():
        raise ValueError(
            f"confusables file not found: {path!r} (a UTS #39 confusables.txt, e.g. from "
            "https://www.unicode.org/Public/security/latest/confusables.txt; leave it empty to use "
            "the bundled Unicode 14.0.0 table)"
        )


@lru_cache(maxsize=4)
def load(path: str = "") -> tuple[str, tuple[tuple[str, ...], ...]]:
    """``(version, classes)`` from ``path``, or from the bundled table when it is empty."""
    if not path:
        from robustx.perturb.char import confusables_data

        classes = tuple(
            tuple(chr(int(code, 16)) for code in line.split()) for line in confusables_data.CLASSES.split("\n") if line
        )
        return confusables_data.VERSION, classes
    try:
        check_path(path)
        text = Path(path).expanduser().read_text(encoding="utf-8-sig")
        return parse(text)
    except (OSError, ValueError) as exc:
        raise RobustxError(f"cannot read confusables from {path}: {exc}") from None
