"""TextAttack transformations as a robustx recipe, through ``textattack.augmentation.Augmenter``.

``augmenter = "char.WordSwapQWERTY"``: the part before the dot says which script guard
applies (``char`` for transformations that edit characters, ``word`` for ones that move or
drop whole words), the class is looked up in ``textattack.transformations``; ``options`` go to
the transformation, ``pct_words_to_swap`` to the Augmenter. Install with
``pip install robustx[textattack]`` (it pins transformers < 5); it is imported offline through
``robustx.attack.textattack_bridge``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from robustx.errors import RobustxError
from robustx.perturb.editing import check_rate
from robustx.perturb.peers.base import PeerAdapter, PeerParams


@dataclass(frozen=True)
class TextAttackParams(PeerParams):
    augmenter: str = "char.WordSwapQWERTY"
    pct_words_to_swap: float = 0.1

    def __post_init__(self) -> None:
        super().__post_init__()
        check_rate(self.pct_words_to_swap, "pct_words_to_swap")


class TextAttackAdapter(PeerAdapter):
    name = "peer.textattack"
    library = "TextAttack"
    Params = TextAttackParams
    uses_torch_rng = True

    def _build(self) -> Any:
        from robustx.attack.textattack_bridge import textattack

        try:
            module = textattack()
        except RobustxError as exc:
            raise RobustxError(f"{self.name}: {exc}") from None
        transformations = module.transformations
        from textattack.augmentation import Augmenter
        cls = getattr(transformations, self.class_name, None)
        if cls is None:
            raise RobustxError(f"{self.name}: textattack.transformations has no {self.class_name}")
        try:
            return Augmenter(transformation=cls(**dict(self.params.options)),
                             pct_words_to_swap=self.params.pct_words_to_swap, transformations_per_example=1)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc) from None

    def _augment(self, augmenter: Any, text: str) -> str:
        out = augmenter.augment(text)
        return out[0] if out else text
