"""nlpaug augmenters as a robustx recipe: ``augmenter = "char.KeyboardAug"`` and its options.

Install with ``pip install robustx[nlpaug]``. Only augmenters that need no download
at construction work offline (the char ones, ``word.RandomWordAug``, ``word.SplitAug``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from robustx.errors import RobustxError
from robustx.perturb.peers.base import PeerAdapter, PeerParams


@dataclass(frozen=True)
class NlpaugParams(PeerParams):
    augmenter: str = "char.KeyboardAug"


class NlpaugAdapter(PeerAdapter):
    name = "peer.nlpaug"
    library = "nlpaug"
    Params = NlpaugParams

    def _build(self) -> Any:
        try:
            import importlib

            module = importlib.import_module(f"nlpaug.augmenter.{self.kind}")
        except ImportError as exc:
            raise RobustxError(f"{self.name} needs nlpaug: pip install 'robustx[nlpaug]' ({exc})") from None
        cls = getattr(module, self.class_name, None)
        if cls is None:
            raise RobustxError(f"{self.name}: nlpaug.augmenter.{self.kind} has no {self.class_name}")
        try:
            return cls(**dict(self.params.options))
        except Exception as exc:  # noqa: BLE001 - any construction failure is the config's
            raise self._fail(exc) from None

    def _augment(self, augmenter: Any, text: str) -> str:
        out = augmenter.augment(text)
        if isinstance(out, list):  # nlpaug >= 1.1.11 returns a list of variants
            out = out[0] if out else text
        return out
