"""Resumable training state: written atomically every ``save_every`` steps, read back on restart.

One file, ``state.pt``, holds the run digest, the phase and the number of finished steps in it,
the weights that can differ from the base model (encoder parameters trained in any phase so
far, plus the current phase's heads), optimizer and scheduler state, and the torch, numpy and
Python RNG states. Data order needs no state: it is a function of (seed, step), see sampling.py.
The file is written to a temp name, fsynced and renamed, so a kill -9 at any moment leaves
either the previous complete state or the new one.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from robustx.errors import RobustxError
from robustx.runner.store import atomic_open

STATE_FORMAT = 1
STATE_FILE = "state.pt"


def save_atomic(obj: Any, path: Path) -> None:
    import torch

    with atomic_open(path, binary=True) as handle:
        torch.save(obj, handle)


def rng_state() -> dict[str, Any]:
    import numpy as np
    import torch

    state = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    import numpy as np
    import torch

    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def load_state(path: Path, digest: str) -> dict[str, Any] | None:
    """The saved state of the run with ``digest``, or None when there is none.

    Raises:
        RobustxError: if the file belongs to a different config (so it is never silently mixed).
    """
    import torch

    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # a truncated file cannot happen with save_atomic, but a foreign one can
        raise RobustxError(f"{path}: unreadable training state ({type(exc).__name__}); delete it to start over") from None
    if state.get("format") != STATE_FORMAT or state.get("digest") != digest:
        raise RobustxError(f"{path}: training state of a different config (digest {state.get('digest')} != {digest}); "
                           "delete it to start this run over")
    return state
