"""Write the recipe x language coverage table to ``docs/coverage.md``.

Usage: ``python tools/coverage_table.py [--out FILE] [--check]``

The table comes from the perturbation registry (``robustx.perturb.coverage``): every
registered recipe, with its default parameters, for the 40 XTREME languages. Run it
after registering or changing a recipe; ``--check`` only reports whether the file is
current (exit status 1 if not), as the test suite does.

Recipes that read lexical resources decide support from them, so the table is made
with ``ROBUSTX_LEXICAL_DIR`` pointing at ``--lexical-dir`` (default
``../shared/data/lexical``, the offline copies CI uses), whatever the caller's
environment says; the MT recipes see the Apertium pairs installed on the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "coverage.md"
LEXICAL = ROOT.parent / "shared" / "data" / "lexical"
ENV = "ROBUSTX_LEXICAL_DIR"


def generate(lexical_dir: Path) -> str:
    """The Markdown table, with ``ENV`` set to ``lexical_dir`` while it is made."""
    from robustx.perturb.coverage import markdown

    saved = os.environ.get(ENV)
    os.environ[ENV] = str(lexical_dir)
    try:
        return markdown()
    finally:
        if saved is None:
            del os.environ[ENV]
        else:
            os.environ[ENV] = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs; write nothing")
    parser.add_argument("--lexical-dir", type=Path, default=LEXICAL, help="lexical resources (MUSE, wordnets)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    text = generate(args.lexical_dir)
    from docfile import write_or_check

    return write_or_check(args.out, text, "coverage_table.py", args.check)


if __name__ == "__main__":
    raise SystemExit(main())
