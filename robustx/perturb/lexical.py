"""Where lexical resources (wordnets, bilingual dictionaries) live: one rule for every recipe.

They are licensed data that robustx loads and never vendors: a recipe's ``lexical_dir``
parameter names the folder, else the ``ROBUSTX_LEXICAL_DIR`` environment variable.
"""

from __future__ import annotations

import os
from pathlib import Path

from robustx.errors import RobustxError

ENV = "ROBUSTX_LEXICAL_DIR"


def lexical_root(configured: str, who: str, needs: str) -> Path:
    """The configured folder (not yet checked); ``needs`` says what it must hold, for the error."""
    raw = configured or os.environ.get(ENV, "")
    if not raw:
        raise RobustxError(
            f"{who} needs {needs}: set params.lexical_dir or {ENV} to the folder holding it "
            "(e.g. ../shared/data/lexical)"
        )
    return Path(raw).expanduser()


def origin(configured: str) -> str:
    return "params.lexical_dir" if configured else ENV
